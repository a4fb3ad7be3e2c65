import {
  CircuitBreaker,
  breakerPolicy,
  compose,
  executeWithRetry,
  retryPolicy,
  timeoutPolicy,
  withTimeout,
} from "@aral/core/resilience";
import {
  CircuitOpenError,
  NonRetryableError,
  QueueFullError,
  RuntimeError,
  ShutdownError,
  TaskTimeoutError,
  TimeoutError,
} from "@aral/core";
import { TaskQueue } from "@aral/core/tasks";
import type { CircuitStateChange, RetryEvent } from "@aral/core/resilience";
import { atLeast, atMost, deepEqual, equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { sleep, within } from "../harness/helpers.ts";
import { deferred, sleepTask } from "./runtime-helpers.ts";

const CAPABILITY = "resilience";

/** Real timers may fire up to a millisecond early against performance.now() on some runtimes. */
const EARLY_MS = 2;

/** Settles every promise and names each outcome: "completed", or the error's name. */
async function outcomes(promises: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(promises)).map((o) =>
    o.status === "fulfilled" ? "completed" : ((o.reason as Error)?.name ?? String(o.reason)),
  );
}

export const resilienceCases = defineCases([
  {
    name: "retry: exponential backoff 20 ms, no jitter, on real timers — three calls ≈ 20 ms and 40 ms apart, then RuntimeError 'failed after 3 attempts' with cause and attempts",
    capability: CAPABILITY,
    async run() {
      const calls: number[] = [];
      const errors: Error[] = [];
      const retries: RetryEvent[] = [];
      const error = (await rejects(
        () =>
          executeWithRetry(
            async ({ attempt, signal }) => {
              calls.push(performance.now());
              equal(signal.aborted, false, `attempt ${attempt}'s signal`);
              const e = new Error(`dependency down (attempt ${attempt})`);
              errors.push(e);
              throw e;
            },
            "load profile",
            {
              maxRetries: 3,
              backoffMs: 20,
              backoffStrategy: "exponential",
              jitter: "none",
              onRetry: (event) => void retries.push(event),
            },
          ),
        { instance: RuntimeError, message: "load profile failed after 3 attempts" },
        "executeWithRetry of an always failing call",
      )) as RuntimeError;
      equal(calls.length, 3, "calls made (maxRetries 3 counts calls, as the seed does)");
      equal(error.cause, errors[2], "RuntimeError.cause (the last error)");
      deepEqual(
        error.attempts.map((e) => (e as Error).message),
        errors.map((e) => e.message),
        "RuntimeError.attempts",
      );
      equal(error.context, "load profile", "RuntimeError.context");
      equal(error.reason, "exhausted", "RuntimeError.reason");
      deepEqual(
        retries.map((r) => [r.attempt, r.delayMs]),
        [
          [1, 20],
          [2, 40],
        ],
        "onRetry events (attempt, delayMs)",
      );
      const [gap1, gap2] = [calls[1]! - calls[0]!, calls[2]! - calls[1]!];
      atLeast(gap1, 20 - EARLY_MS, "ms between call 1 and 2");
      atLeast(gap2, 40 - EARLY_MS, "ms between call 2 and 3");
      atMost(gap1, 3_000, "ms between call 1 and 2");
      atMost(gap2, 3_000, "ms between call 2 and 3");
    },
  },
  {
    name: "retry: a call that succeeds on the third attempt returns its value; linear backoff waits 10 then 20 ms",
    capability: CAPABILITY,
    async run() {
      const calls: number[] = [];
      const value = await executeWithRetry(
        async ({ attempt }) => {
          calls.push(performance.now());
          if (attempt < 3) throw new Error("not yet");
          return `ok on ${attempt}`;
        },
        "flaky",
        { maxRetries: 5, backoffMs: 10, backoffStrategy: "linear", jitter: "none" },
      );
      equal(value, "ok on 3", "the value");
      equal(calls.length, 3, "calls");
      atLeast(calls[1]! - calls[0]!, 10 - EARLY_MS, "first linear gap (ms)");
      atLeast(calls[2]! - calls[1]!, 20 - EARLY_MS, "second linear gap (ms)");
    },
  },
  {
    name: "retry: NonRetryableError and a refusing retryable() predicate fail after one call with the error itself",
    capability: CAPABILITY,
    async run() {
      let calls = 0;
      const fatal = new NonRetryableError("bad credentials");
      const started = performance.now();
      const error = await rejects(
        () =>
          executeWithRetry(
            async () => {
              calls++;
              throw fatal;
            },
            "login",
            { maxRetries: 5, backoffMs: 1000 },
          ),
        { instance: NonRetryableError },
        "a NonRetryableError",
      );
      equal(error, fatal, "the rejection is the NonRetryableError itself");
      equal(calls, 1, "calls for a NonRetryableError");
      calls = 0;
      const status = Object.assign(new Error("HTTP 404"), { status: 404 });
      const second = await rejects(
        () =>
          executeWithRetry(
            async () => {
              calls++;
              throw status;
            },
            "fetch page",
            { maxRetries: 5, backoffMs: 1000, retryable: (e) => (e as { status?: number }).status !== 404 },
          ),
        {},
        "an error retryable() refuses",
      );
      equal(second, status, "the rejection is the refused error itself");
      equal(calls, 1, "calls for a refused error");
      atMost(performance.now() - started, 900, "ms taken (no backoff sleep happened)");
    },
  },
  {
    name: "retry: aborting the signal interrupts a 5 s backoff sleep promptly, rejecting with the abort reason",
    capability: CAPABILITY,
    async run() {
      const controller = new AbortController();
      const reason = new Error("caller stopped");
      let calls = 0;
      const started = performance.now();
      setTimeout(() => controller.abort(reason), 50);
      const error = await rejects(
        () =>
          executeWithRetry(
            async () => {
              calls++;
              throw new Error("down");
            },
            "slow retry",
            { maxRetries: 3, backoffMs: 5_000, jitter: "none", signal: controller.signal },
          ),
        {},
        "executeWithRetry aborted during its backoff",
      );
      const elapsed = performance.now() - started;
      equal(error, reason, "the rejection is the abort reason");
      equal(calls, 1, "calls before the abort");
      atLeast(elapsed, 50 - EARLY_MS, "ms until the rejection");
      atMost(elapsed, 3_000, "ms until the rejection (far less than the 5 s backoff)");
      await rejects(
        () => executeWithRetry(async () => "never", "pre-aborted", { signal: AbortSignal.abort(reason) }),
        {},
        "an already aborted signal",
      ).then((e) => equal(e, reason, "rejection for an already aborted signal"));
    },
  },
  {
    name: "retry: an attempt that ignores its signal cannot hold executeWithRetry past its budgetMs (RuntimeError reason 'budget') or past the caller's abort",
    capability: CAPABILITY,
    async run() {
      const hung = () => new Promise<never>(() => {}); // a call that never settles and never looks at its signal
      let started = performance.now();
      const budget = await rejects(
        () => executeWithRetry(hung, "hung call", { budgetMs: 60 }),
        { instance: RuntimeError, message: /time budget of 60 ms exhausted/ },
        "executeWithRetry with budgetMs 60",
      );
      equal((budget as RuntimeError).reason, "budget", "reason");
      atLeast(performance.now() - started, 60 - EARLY_MS, "ms until the rejection");
      atMost(performance.now() - started, 3_000, "ms until the rejection");
      const controller = new AbortController();
      const reason = new Error("caller stopped");
      started = performance.now();
      setTimeout(() => controller.abort(reason), 50);
      const aborted = await rejects(
        () => executeWithRetry(hung, "hung call", { signal: controller.signal }),
        {},
        "executeWithRetry aborted during a hung attempt",
      );
      equal(aborted, reason, "the rejection is the abort reason");
      atMost(performance.now() - started, 3_000, "ms until the rejection");
    },
  },
  {
    name: "breaker: threshold 2, timeout 100 ms on real time — opens after 2 failures, fails fast with CircuitOpenError, half-opens after ≥ 100 ms, closes on a good probe",
    capability: CAPABILITY,
    async run() {
      const breaker = new CircuitBreaker({ name: "payments-api", threshold: 2, timeout: 100 });
      const changes: CircuitStateChange[] = [];
      breaker.onStateChange((c) => void changes.push(c));
      let calls = 0;
      const failing = async () => {
        calls++;
        throw new Error("503");
      };
      await rejects(() => breaker.execute(failing), { message: "503" }, "failure 1");
      equal(breaker.state, "closed", "state after one failure");
      await rejects(() => breaker.execute(failing), { message: "503" }, "failure 2");
      equal(breaker.state, "open", "state after two failures");
      const fast = (await rejects(
        () => breaker.execute(failing),
        { instance: CircuitOpenError },
        "a call while open",
      )) as CircuitOpenError;
      equal(calls, 2, "calls that reached the dependency (the third failed fast)");
      equal(fast.circuit, "payments-api", "CircuitOpenError.circuit");
      ok(
        fast.retryAfterMs > 0 && fast.retryAfterMs <= 100,
        `CircuitOpenError.retryAfterMs in (0, 100] (got ${fast.retryAfterMs})`,
      );
      ok(fast.message.includes("payments-api"), "the message names the circuit");

      await sleep(120);
      equal(breaker.state, "half-open", "state once the open timeout has passed");
      equal(await breaker.execute(async () => "probe ok"), "probe ok", "the probe's result");
      equal(breaker.state, "closed", "state after a successful probe");
      deepEqual(
        changes.map((c) => `${c.from}→${c.to}`),
        ["closed→open", "open→half-open", "half-open→closed"],
        "state changes",
      );
      atLeast(changes[1]!.at - changes[0]!.at, 100, "ms between opening and half-opening");
    },
  },
  {
    name: "breaker: a failed probe reopens the circuit for another full timeout; one probe at a time",
    capability: CAPABILITY,
    async run() {
      const breaker = new CircuitBreaker({ name: "search", threshold: 1, timeout: 80 });
      await rejects(() => breaker.execute(() => Promise.reject(new Error("down"))), {}, "the opening failure");
      await sleep(100);
      const probeGate = deferred();
      const probe = breaker.execute(async () => {
        await probeGate.promise;
        throw new Error("still down");
      });
      const busy = (await rejects(
        () => breaker.execute(async () => "second probe"),
        { instance: CircuitOpenError },
        "a second call while the only probe runs",
      )) as CircuitOpenError;
      equal(busy.retryAfterMs, 0, "retryAfterMs while half-open with the probe busy");
      probeGate.resolve();
      await rejects(() => probe, { message: "still down" }, "the failing probe");
      equal(breaker.state, "open", "state after a failed probe");
      const again = (await rejects(
        () => breaker.execute(async () => "x"),
        { instance: CircuitOpenError },
        "a call right after the failed probe",
      )) as CircuitOpenError;
      ok(again.retryAfterMs > 0, `retryAfterMs after reopening (got ${again.retryAfterMs})`);
    },
  },
  {
    name: "timeout: withTimeout aborts the call's signal and rejects with TimeoutError after the time, not before",
    capability: CAPABILITY,
    async run() {
      let seen: AbortSignal | undefined;
      const started = performance.now();
      const error = (await rejects(
        () =>
          withTimeout(
            (signal) => {
              seen = signal;
              return new Promise<string>(() => {});
            },
            100,
            { what: "slow lookup" },
          ),
        { instance: TimeoutError, message: "slow lookup timed out after 100 ms" },
        "a call that never settles",
      )) as TimeoutError;
      const elapsed = performance.now() - started;
      equal(error.timeoutMs, 100, "TimeoutError.timeoutMs");
      ok(seen?.aborted, "the call's signal is aborted");
      equal(seen?.reason, error, "the signal's reason is the TimeoutError");
      atLeast(elapsed, 100 - EARLY_MS, "ms until the timeout");
      atMost(elapsed, 3_000, "ms until the timeout");
      equal(await withTimeout(async () => "quick", 1_000), "quick", "a call within its time");
      await rejects(() => withTimeout(async () => "x", 0), { message: /timeout/ }, "withTimeout with 0 ms");
    },
  },
  {
    name: "policies: compose(retry, breaker, timeout) — each attempt gets its own timeout, the breaker counts them and then fails fast",
    capability: CAPABILITY,
    async run() {
      const breaker = new CircuitBreaker({ name: "inventory", threshold: 2, timeout: 10_000 });
      const policy = compose(
        retryPolicy({
          context: "reserve stock",
          maxRetries: 4,
          backoffMs: 10,
          jitter: "none",
          backoffStrategy: "constant",
        }),
        breakerPolicy(breaker),
        timeoutPolicy(50),
      );
      let calls = 0;
      const error = (await rejects(
        () =>
          policy.execute((signal) => {
            calls++;
            return new Promise<string>((_, reject) =>
              signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
            );
          }),
        { instance: RuntimeError, message: "reserve stock failed after 4 attempts" },
        "a hanging dependency through retry, breaker and timeout",
      )) as RuntimeError;
      equal(calls, 2, "calls that reached the dependency (then the breaker opened)");
      deepEqual(
        error.attempts.map((e) => (e as Error).name),
        ["TimeoutError", "TimeoutError", "CircuitOpenError", "CircuitOpenError"],
        "each attempt's error",
      );
      equal(breaker.state, "open", "breaker state");
    },
  },
  {
    name: "queue: with concurrency 1, started paused, tasks run by priority (critical, high, normal, low), FIFO within a level",
    capability: CAPABILITY,
    async run() {
      const queue = new TaskQueue({ concurrency: 1, paused: true });
      const order: string[] = [];
      const task = (id: string) => async () => {
        order.push(id);
        await sleep(1);
        return id;
      };
      const added = [
        queue.add(task("low-1"), { priority: "low" }),
        queue.add(task("normal-1")),
        queue.add(task("high-1"), { priority: "high" }),
        queue.add(task("critical-1"), { priority: "critical" }),
        queue.add(task("normal-2"), { priority: "normal" }),
        queue.add(task("low-2"), { priority: -10 }),
        queue.add(task("high-2"), { priority: 20 }),
        queue.add(task("p5"), { priority: 5 }),
      ];
      await sleep(30);
      deepEqual(order, [], "tasks run while paused");
      equal(queue.size, 8, "queue.size while paused");
      queue.resume();
      deepEqual(
        await within(Promise.all(added), 5_000, "all tasks"),
        ["low-1", "normal-1", "high-1", "critical-1", "normal-2", "low-2", "high-2", "p5"],
        "each add() resolves with its own task's value",
      );
      deepEqual(order, ["critical-1", "high-1", "high-2", "p5", "normal-1", "normal-2", "low-1", "low-2"], "run order");
      equal(queue.stats().completed, 8, "stats().completed");
      await within(queue.onIdle(), 1_000, "onIdle()");
    },
  },
  {
    name: "queue: a task timeout rejects with TaskTimeoutError and aborts its signal; within the grace period its slot stays counted until the task really settles",
    capability: CAPABILITY,
    async run() {
      const queue = new TaskQueue({ concurrency: 1, timeoutGraceMs: 2_000 });
      let timedOutSignal: AbortSignal | undefined;
      let stubbornSettled = false;
      let nextStarted = false;
      const started = performance.now();
      const stubborn = queue.add(
        async (signal) => {
          timedOutSignal = signal;
          await sleep(400); // ignores its signal on purpose
          stubbornSettled = true;
          return "late";
        },
        { timeoutMs: 100, id: "stubborn" },
      );
      const next = queue.add(async () => {
        nextStarted = true;
        ok(stubbornSettled, "the next task starts only after the timed-out task has settled");
        return "next";
      });
      const error = (await rejects(
        () => stubborn,
        { instance: TaskTimeoutError },
        "the stubborn task",
      )) as TaskTimeoutError;
      atLeast(performance.now() - started, 100 - EARLY_MS, "ms until the TaskTimeoutError");
      equal(error.taskId, "stubborn", "TaskTimeoutError.taskId");
      equal(error.timeoutMs, 100, "TaskTimeoutError.timeoutMs");
      equal(timedOutSignal?.aborted, true, "the task's signal is aborted");
      equal(timedOutSignal?.reason, error, "the signal's reason");
      if (!stubbornSettled) {
        equal(queue.stats().running, 1, "stats().running while the timed-out task is still running");
        equal(queue.pending, 1, "queue.pending while the timed-out task is still running");
        equal(nextStarted, false, "the next task started while the timed-out one still held the slot");
      }
      equal(await within(next, 5_000, "the next task"), "next", "the next task's value");
      const stats = queue.stats();
      equal(stats.timedOut, 1, "stats().timedOut");
      equal(stats.completed, 1, "stats().completed (the stubborn task's late value is not a completion)");
    },
  },
  {
    name: "queue: a timed-out task that never settles is abandoned after the grace period: its slot goes to the next task, stats().abandoned counts it, onIdle() resolves",
    capability: CAPABILITY,
    async run() {
      const abandoned: string[] = [];
      const queue = new TaskQueue({
        concurrency: 1,
        timeoutGraceMs: 100,
        onAbandoned: (task) => void abandoned.push(task.id),
      });
      const stuck = queue.add(() => new Promise<never>(() => {}), { timeoutMs: 50, id: "stuck" });
      const next = queue.add(async () => "next");
      await rejects(() => stuck, { instance: TaskTimeoutError }, "the stuck task");
      equal(await within(next, 5_000, "the next task"), "next", "the next task's value");
      deepEqual(abandoned, ["stuck"], "onAbandoned calls");
      await within(queue.onIdle(), 1_000, "onIdle() with an abandoned task still hanging");
      const stats = queue.stats();
      deepEqual([stats.timedOut, stats.abandoned, stats.running], [1, 1, 0], "stats(): timedOut, abandoned, running");
    },
  },
  {
    name: "queue: a task aborted at the shutdown deadline that never settles is abandoned after the grace period: stats().abandoned counts it, onIdle() resolves",
    capability: CAPABILITY,
    async run() {
      const abandoned: { id: string; reason: string }[] = [];
      const queue = new TaskQueue({
        timeoutGraceMs: 100,
        onAbandoned: (task) => void abandoned.push({ id: task.id, reason: task.reason }),
      });
      let signal: AbortSignal | undefined;
      const stuck = queue.add(
        (taskSignal) => {
          signal = taskSignal;
          return new Promise<never>(() => {});
        },
        { id: "stuck" },
      );
      const report = await within(queue.shutdown({ timeoutMs: 50 }), 5_000, "shutdown() with a 50 ms deadline");
      deepEqual(report, { finished: 0, aborted: 1, returned: 0 }, "shutdown report");
      const error = (await rejects(() => stuck, { instance: ShutdownError }, "the stuck task")) as ShutdownError;
      equal(error.outcome, "aborted", "ShutdownError.outcome");
      equal(signal?.aborted, true, "the task's signal is aborted");
      equal(queue.stats().running, 1, "stats().running within the grace period");
      await within(queue.onIdle(), 5_000, "onIdle() after shutdown with a task that never settles");
      deepEqual(abandoned, [{ id: "stuck", reason: "shutdown" }], "onAbandoned calls");
      const stats = queue.stats();
      deepEqual(
        [stats.aborted, stats.abandoned, stats.timedOut, stats.running],
        [1, 1, 0, 0],
        "stats(): aborted, abandoned, timedOut, running",
      );
    },
  },
  {
    name: "queue: a full bounded queue rejects add() with QueueFullError; accepted tasks still complete",
    capability: CAPABILITY,
    async run() {
      const queue = new TaskQueue({ concurrency: 1, maxQueued: 2 });
      const gate = deferred();
      const running = queue.add(async () => {
        await gate.promise;
        return "running";
      });
      const queued = [queue.add(async () => "queued-1"), queue.add(async () => "queued-2")];
      const error = (await rejects(
        () => queue.add(async () => "overflow", { id: "overflow" }),
        { instance: QueueFullError },
        "a third queued task",
      )) as QueueFullError;
      equal(error.maxQueued, 2, "QueueFullError.maxQueued");
      equal(error.taskId, "overflow", "QueueFullError.taskId");
      equal(queue.stats().rejected, 1, "stats().rejected");
      gate.resolve();
      deepEqual(
        await within(Promise.all([running, ...queued]), 5_000, "accepted tasks"),
        ["running", "queued-1", "queued-2"],
        "accepted tasks' values",
      );
      equal(queue.stats().accepted, 3, "stats().accepted");
    },
  },
  {
    name: "queue: graceful shutdown accounts for every accepted task — running ones finish, queued ones return with ShutdownError, later adds refused",
    capability: CAPABILITY,
    async run() {
      const queue = new TaskQueue({ concurrency: 2 });
      const tasks = Array.from({ length: 10 }, (_, i) => queue.add(sleepTask(60, i)));
      const settled = Promise.allSettled(tasks);
      await sleep(10);
      const report = await within(queue.shutdown({ timeoutMs: 5_000 }), 6_000, "shutdown()");
      deepEqual(report, { finished: 2, aborted: 0, returned: 8 }, "shutdown report");
      await settled;
      deepEqual(
        await outcomes(tasks),
        ["completed", "completed", ...Array(8).fill("ShutdownError")],
        "each task's outcome",
      );
      const returned = (await settled).flatMap((o) => (o.status === "rejected" ? [o.reason as ShutdownError] : []));
      ok(
        returned.every((e) => e instanceof ShutdownError && e.outcome === "returned" && typeof e.task === "function"),
        "queued tasks come back as ShutdownError 'returned' with the task to resubmit",
      );
      const late = (await rejects(
        () => queue.add(async () => "late"),
        { instance: ShutdownError },
        "add() after shutdown",
      )) as ShutdownError;
      equal(late.outcome, "closed", "ShutdownError.outcome for a late add()");
      const stats = queue.stats();
      equal(
        stats.accepted,
        stats.completed + stats.returned + stats.aborted,
        "stats: accepted = completed + returned + aborted",
      );
    },
  },
  {
    name: "queue: a shutdown deadline aborts tasks still running with ShutdownError and aborts their signals",
    capability: CAPABILITY,
    async run() {
      const queue = new TaskQueue({ concurrency: 2 });
      const signals: AbortSignal[] = [];
      const long = (signal: AbortSignal) => {
        signals.push(signal);
        return sleepTask(10_000, "never")(signal);
      };
      const tasks = [queue.add(long), queue.add(long), queue.add(long)];
      const settled = Promise.allSettled(tasks);
      await sleep(10);
      const started = performance.now();
      const report = await within(queue.shutdown({ timeoutMs: 100 }), 5_000, "shutdown() with a 100 ms deadline");
      const elapsed = performance.now() - started;
      deepEqual(report, { finished: 0, aborted: 2, returned: 1 }, "shutdown report");
      atLeast(elapsed, 100 - EARLY_MS, "ms the shutdown waited before aborting");
      const reasons = (await settled).map((o) =>
        o.status === "rejected" ? (o.reason as ShutdownError).outcome : "completed",
      );
      deepEqual(reasons, ["aborted", "aborted", "returned"], "each task's ShutdownError outcome");
      equal(signals.length, 2, "tasks that started");
      ok(
        signals.every((s) => s.aborted),
        "the running tasks' signals are aborted",
      );
    },
  },
]);
