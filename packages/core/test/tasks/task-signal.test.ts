// A task's own AbortSignal is made only for a function that can read it: a zero-parameter arrow (`async () => …`)
// cannot, so it runs without an AbortController (the submit hot path). Every other shape of function still gets its
// own signal, aborted on timeout, on the caller's abort and at the shutdown deadline, and nothing leaves a listener
// behind. (The same on Deno and Bun: conformance/src/cases/runtime-task-signal.ts.)
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { ShutdownError, TaskCancelledError, TaskQueue, TaskTimeoutError } from "../../src/tasks/index.ts";
import { settle, track } from "../resilience/helpers.ts";
// the same task shapes the conformance case runs on every runtime
import { type Seen, signalReaders } from "../../../../conformance/src/cases/runtime-task-signal.ts";

describe("a task's signal", () => {
  for (const shape of Object.keys(signalReaders({}))) {
    it(`taken through ${shape}: aborted on timeout, on the caller's abort and at shutdown, each with its reason`, async () => {
      const clock = new ManualClock();
      const queue = new TaskQueue({ concurrency: 3, clock });
      const onTimeout: Seen = {};
      const onCancel: Seen = {};
      const atShutdown: Seen = {};
      const caller = new AbortController();
      const timedOut = track(queue.add(signalReaders(onTimeout)[shape]!, { timeoutMs: 50 }));
      const cancelled = track(queue.add(signalReaders(onCancel)[shape]!, { signal: caller.signal }));
      const shutDown = track(queue.add(signalReaders(atShutdown)[shape]!));
      await settle();
      const signals = [onTimeout.signal, onCancel.signal, atShutdown.signal];
      for (const signal of signals) expect(signal).toBeInstanceOf(AbortSignal);
      expect(new Set(signals).size).toBe(3);
      expect(signals.map((signal) => signal!.aborted)).toEqual([false, false, false]);

      await clock.advance(50);
      expect(timedOut.error).toBeInstanceOf(TaskTimeoutError);
      expect(onTimeout.signal!.aborted).toBe(true);
      expect(onTimeout.signal!.reason).toBe(timedOut.error);

      const reason = new Error("caller gave up");
      caller.abort(reason);
      await settle();
      expect(onCancel.signal!.reason).toBe(reason);
      expect(cancelled.error).toBeInstanceOf(TaskCancelledError);
      expect((cancelled.error as TaskCancelledError).phase).toBe("running");

      expect(atShutdown.signal!.aborted).toBe(false);
      const report = track(queue.shutdown({ timeoutMs: 10 }));
      await clock.advance(10);
      await settle();
      expect(report.value).toMatchObject({ aborted: 1 });
      expect(atShutdown.signal!.reason).toBeInstanceOf(ShutdownError);
      expect(shutDown.error).toBe(atShutdown.signal!.reason);
      // the queue's own listener on the caller's signal went with the task
      expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
    });
  }

  it("a zero-parameter arrow (which cannot read its signal) still times out, is cancelled while queued, and is aborted at shutdown", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 3, clock });
    const never = () => new Promise<never>(() => {});
    const caller = new AbortController();
    const queuedCaller = new AbortController();
    const timedOut = track(queue.add(async () => never(), { timeoutMs: 50 }));
    const cancelled = track(queue.add(() => never(), { signal: caller.signal }));
    const shutDown = track(queue.add(async () => never()));
    const queued = track(queue.add(async () => never(), { signal: queuedCaller.signal }));
    await settle();
    await clock.advance(50);
    expect(timedOut.error).toBeInstanceOf(TaskTimeoutError);
    // running, it ignores its (unreadable) signal: its caller waits for it to settle, as for any task that ignores it
    caller.abort(new Error("caller gave up"));
    await settle();
    expect(cancelled.settled).toBe(false);
    queuedCaller.abort(new Error("not needed any more"));
    await settle();
    expect((queued.error as TaskCancelledError).phase).toBe("queued");
    expect(queue.stats()).toMatchObject({ running: 3, timedOut: 1, cancelled: 1 });
    const report = track(queue.shutdown({ timeoutMs: 10 }));
    await clock.advance(10);
    await settle();
    expect(report.value).toMatchObject({ aborted: 2 });
    expect(shutDown.error).toBeInstanceOf(ShutdownError);
    expect(cancelled.error).toBeInstanceOf(ShutdownError);
    for (const signal of [caller.signal, queuedCaller.signal])
      expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("leaves no listener on a caller's signal, whatever the outcome, and none piles up on a task's signal", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 8, clock });
    const caller = new AbortController(); // shared by every task: the queue adds one listener per waiting task
    const taskSignals = new Set<AbortSignal>();
    const outcomes: Promise<unknown>[] = [];
    for (let i = 0; i < 400; i++) {
      const leaveAListener = (signal: AbortSignal) => {
        taskSignals.add(signal);
        signal.addEventListener("abort", () => {});
        return i % 4 === 1 ? Promise.reject(new Error("failed")) : Promise.resolve(i);
      };
      outcomes.push(
        queue.add(i % 2 ? leaveAListener : async () => i, { signal: caller.signal, timeoutMs: 1_000 }).catch(() => {}),
      );
    }
    await Promise.all(outcomes);
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
    expect(taskSignals.size).toBe(200);
    expect(Math.max(...[...taskSignals].map((signal) => getEventListeners(signal, "abort").length))).toBe(1);
    expect(clock.pendingSleeps).toBe(0); // every timeout timer was cancelled when its task settled
    expect(queue.stats()).toMatchObject({ completed: 300, failed: 100 });
  });
});

describe("AralRuntime.submit's request statistics (reported by the queue)", () => {
  it("count every submitted task once: completed, failed, timed out, refused (queue full) and refused (bad options)", async () => {
    const runtime = new AralRuntime(
      {
        tasks: { concurrency: 1, maxQueued: 1 },
        logging: { level: "error" },
        lifecycle: { healthcheck: { enabled: false } },
      },
      { platform: createPlatform(), logSink: () => {}, handleSignals: false, env: {} },
    );
    await runtime.start();
    try {
      let release!: () => void;
      const held = runtime.submit(() => new Promise<string>((resolve) => (release = () => resolve("held"))));
      const queued = runtime.submit(async () => "queued");
      await expect(runtime.submit(async () => "no room")).rejects.toMatchObject({ name: "QueueFullError" });
      await expect(runtime.submit(async () => 1, { priority: "urgent" as never })).rejects.toMatchObject({
        name: "TaskQueueConfigError",
      });
      release();
      expect(await held).toBe("held");
      expect(await queued).toBe("queued");
      await expect(runtime.submit(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
      await expect(runtime.submit(() => new Promise(() => {}), { timeoutMs: 1 })).rejects.toBeInstanceOf(
        TaskTimeoutError,
      );
      const text = runtime.prometheusMetrics();
      expect(text).toMatch(/^aral_requests_total(\{[^}]*\})? 6$/m);
      expect(text).toMatch(/^aral_request_errors_total(\{[^}]*\})? 4$/m);
      expect(runtime.metrics().errorRate).toBeCloseTo(4 / 6);
    } finally {
      await runtime.stop();
    }
  });
});
