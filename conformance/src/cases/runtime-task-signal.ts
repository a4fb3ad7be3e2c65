// A task's own AbortSignal is made only for a function that can read it: a zero-parameter arrow (`async () => …`)
// cannot (an arrow has no `arguments`), so it runs without an AbortController — the submit hot path. Checked on every
// runtime because it rests on the engine's Function.prototype.toString and AbortSignal: every other shape of function
// still gets its own signal, aborted on timeout, on the caller's abort and at shutdown; nothing leaves a listener
// behind; and submit's request statistics, which the queue now reports, count each task once.
import { ShutdownError, TaskCancelledError, TaskQueue, TaskTimeoutError } from "@aral/core/tasks";
import { equal, fail, match, ok } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { runtimeFor } from "./runtime-helpers.ts";
import { countingAbortListeners } from "./runtime-issue9.ts";

export type Seen = { signal?: AbortSignal };

export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

/** Each way a task function can take the signal it is called with; each records it in `seen` and waits for its abort. */
export function signalReaders(seen: Seen): Record<string, (signal: AbortSignal) => Promise<never>> {
  return {
    "a parameter": (signal) => untilAborted((seen.signal = signal)),
    "rest parameters": (...args: AbortSignal[]) => untilAborted((seen.signal = args[0]!)),
    "a default parameter": (signal: AbortSignal = new AbortController().signal) => untilAborted((seen.signal = signal)),
    "`arguments` in a function": function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: the point of the case: a function that names no parameter
      return untilAborted((seen.signal = arguments[0] as AbortSignal));
    },
    "a bound function": function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: as above, behind bind()
      return untilAborted((seen.signal = arguments[0] as AbortSignal));
    }.bind(undefined),
    "a method": {
      run() {
        // biome-ignore lint/complexity/noArguments: as above, a method
        return untilAborted((seen.signal = arguments[0] as AbortSignal));
      },
    }.run,
  };
}

/** The outcome of a promise that must settle, as the error it rejected with (fails the case if it resolved). */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  fail(`${what}: resolved, expected a rejection`);
}

export const runtimeTaskSignalCases = defineCases([
  {
    name: "tasks: a task function that can read its signal (parameter, rest, default, `arguments`, bound, method) gets its own, aborted on timeout, on the caller's abort and at shutdown",
    capability: "runtime.lifecycle",
    async run() {
      for (const shape of Object.keys(signalReaders({}))) {
        const queue = new TaskQueue({ concurrency: 3 });
        const onTimeout: Seen = {};
        const onCancel: Seen = {};
        const atShutdown: Seen = {};
        const caller = new AbortController();
        const timedOut = rejection(queue.add(signalReaders(onTimeout)[shape]!, { timeoutMs: 20 }), `${shape}: timeout`);
        const cancelled = rejection(queue.add(signalReaders(onCancel)[shape]!, { signal: caller.signal }), shape);
        const shutDown = rejection(queue.add(signalReaders(atShutdown)[shape]!), `${shape}: shutdown`);
        const timeoutError = await timedOut;
        ok(timeoutError instanceof TaskTimeoutError, `${shape}: the caller gets a TaskTimeoutError`);
        ok(onTimeout.signal instanceof AbortSignal, `${shape}: the task was handed an AbortSignal`);
        equal(onTimeout.signal.reason, timeoutError, `${shape}: the timed-out task's signal reason`);
        const reason = new Error("caller gave up");
        ok(onCancel.signal && !onCancel.signal.aborted, `${shape}: the other task's signal is its own, not aborted`);
        caller.abort(reason);
        const cancelError = await cancelled;
        ok(cancelError instanceof TaskCancelledError, `${shape}: the caller gets a TaskCancelledError`);
        equal(onCancel.signal.reason, reason, `${shape}: the cancelled task's signal reason`);
        ok(atShutdown.signal && !atShutdown.signal.aborted, `${shape}: the third task's signal, before shutdown`);
        equal((await queue.shutdown({ timeoutMs: 0 })).aborted, 1, `${shape}: tasks aborted at shutdown`);
        ok((await shutDown) instanceof ShutdownError, `${shape}: the caller gets a ShutdownError at shutdown`);
        ok(atShutdown.signal.reason instanceof ShutdownError, `${shape}: the aborted task's signal reason`);
      }
    },
  },
  {
    name: "tasks: a zero-parameter arrow task still times out, is cancelled while queued and is aborted at shutdown; no task leaves a listener on its caller's signal",
    capability: "runtime.lifecycle",
    async run() {
      await countingAbortListeners(async (live) => {
        const queue = new TaskQueue({ concurrency: 2 });
        const caller = new AbortController();
        const never = () => new Promise<never>(() => {});
        const timedOut = rejection(
          queue.add(async () => never(), { timeoutMs: 20 }),
          "timeout",
        );
        const shutDown = rejection(
          queue.add(async () => never()),
          "shutdown",
        );
        const queued = rejection(
          queue.add(async () => never(), { signal: caller.signal }),
          "queued",
        );
        ok((await timedOut) instanceof TaskTimeoutError, "a timed-out zero-parameter task's caller: TaskTimeoutError");
        equal(live(caller.signal), 1, "listeners on the caller's signal while its task waits in the queue");
        caller.abort(new Error("not needed"));
        const cancelled = await queued;
        ok(cancelled instanceof TaskCancelledError && cancelled.phase === "queued", "cancelled while queued");
        // (the queue's listener was a `once` one and fired: countingAbortListeners does not see that)
        equal((await queue.shutdown({ timeoutMs: 0 })).aborted, 1, "tasks aborted at shutdown");
        ok((await shutDown) instanceof ShutdownError, "the zero-parameter task's caller gets a ShutdownError");

        // Completed, failed and timed-out tasks with a caller's signal, of both kinds: none leaves its listener behind.
        const shared = new AbortController();
        const busy = new TaskQueue({ concurrency: 4 });
        const outcomes: Promise<unknown>[] = [];
        for (let i = 0; i < 200; i++) {
          const work = () => (i % 3 === 0 ? Promise.reject(new Error("failed")) : Promise.resolve(i));
          const task = i % 2 ? (signal: AbortSignal) => (signal.aborted ? never() : work()) : async () => work();
          outcomes.push(busy.add(task, { signal: shared.signal, timeoutMs: 60_000 }).catch(() => {}));
        }
        await Promise.all(outcomes);
        equal(live(shared.signal), 0, "listeners left on a signal shared by 200 settled tasks' callers");
        equal(busy.stats().completed + busy.stats().failed, 200, "tasks completed or failed");
      });
    },
  },
  {
    name: "tasks: AralRuntime.submit counts each task once in the request statistics (completed, failed, timed out, refused)",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, {
        tasks: { concurrency: 1, maxQueued: 1 },
        logging: { level: "error" },
        lifecycle: { healthcheck: { enabled: false } },
      });
      await runtime.start();
      let release!: () => void;
      const held = runtime.submit(() => new Promise<string>((resolve) => (release = () => resolve("held"))));
      const queued = runtime.submit(async () => "queued");
      await rejection(
        runtime.submit(async () => "no room"),
        "a third task with the queue full",
      );
      await rejection(
        runtime.submit(async () => 1, { priority: "urgent" as never }),
        "a bad priority",
      );
      release();
      equal(await held, "held", "the first task's value");
      equal(await queued, "queued", "the queued task's value");
      await rejection(
        runtime.submit(() => Promise.reject(new Error("boom"))),
        "a failing task",
      );
      ok(
        (await rejection(
          runtime.submit(() => new Promise(() => {}), { timeoutMs: 20 }),
          "timeout",
        )) instanceof TaskTimeoutError,
        "timeout",
      );
      const text = runtime.prometheusMetrics();
      match(text, /^aral_requests_total(\{[^}]*\})? 6$/m, "aral_requests_total after 6 submits");
      match(text, /^aral_request_errors_total(\{[^}]*\})? 4$/m, "aral_request_errors_total after 4 refused or failed");
    },
  },
]);
