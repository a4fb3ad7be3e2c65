// What a queue releases and in which order it lets work in: cancelled queued tasks are freed (not kept until the
// queue happens to shift past them), a task that never settles after its timeout or the shutdown deadline aborted it
// gives its slot back after a grace period,
// producers waiting for room (overflow "wait") get in by priority, and shed() lets them into the room it frees.
import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { PriorityBuffer } from "../../src/tasks/priority-buffer.ts";
import {
  DEFAULT_TIMEOUT_GRACE_MS,
  ShutdownError,
  TaskCancelledError,
  TaskQueue,
  TaskQueueConfigError,
  TaskTimeoutError,
} from "../../src/tasks/index.ts";
import type { AbandonedTask } from "../../src/tasks/index.ts";
import { deferred, settle, track } from "../resilience/helpers.ts";

const never = (_signal: AbortSignal): Promise<never> => new Promise<never>(() => {});

describe("PriorityBuffer retention", () => {
  it("drops a level whose every item was removed, and compacts one with more removed items than live ones", () => {
    const buffer = new PriorityBuffer<{ priority: number; live: boolean; n: number }>();
    const all = Array.from({ length: 10_000 }, (_, n) => ({ priority: 0, live: true, n }));
    for (const item of all) buffer.push(item);
    for (const item of all) buffer.remove(item);
    expect(buffer.size).toBe(0);
    expect(buffer.retained).toBe(0);

    const some = Array.from({ length: 10_000 }, (_, n) => ({ priority: 1, live: true, n }));
    for (const item of some) buffer.push(item);
    for (const item of some) if (item.n % 100 !== 0) buffer.remove(item);
    expect(buffer.size).toBe(100);
    expect(buffer.retained).toBeLessThanOrEqual(2 * 100 + 64);
    // order is kept through compaction
    expect(buffer.drain().map((item) => item.n)).toEqual(some.filter((item) => item.n % 100 === 0).map((i) => i.n));
  });
});

describe("TaskQueue releases cancelled tasks", () => {
  it("holds no cancelled task once every queued one at a level is cancelled, while new work starts directly", async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    for (let round = 0; round < 3; round++) {
      const gate = deferred<void>();
      const running = queue.add(async (_signal) => gate.promise);
      const outcomes: Promise<unknown>[] = [];
      for (let i = 0; i < 5000; i++) {
        const caller = new AbortController();
        const payload = "x".repeat(100) + i;
        outcomes.push(queue.add(async (_signal) => payload.length, { signal: caller.signal }).catch((e) => e));
        caller.abort();
      }
      const errors = await Promise.all(outcomes);
      expect(errors.every((e) => e instanceof TaskCancelledError)).toBe(true);
      expect(queue.size).toBe(0);
      expect(queue.retainedEntries).toBe(0);
      gate.resolve();
      await running;
      await queue.onIdle();
    }
    expect(queue.stats().cancelled).toBe(15_000);
  });

  it("keeps what it retains within about twice what is queued when most queued tasks are cancelled", async () => {
    const queue = new TaskQueue({ concurrency: 1, paused: true });
    const callers: AbortController[] = [];
    const outcomes: Promise<unknown>[] = [];
    for (let i = 0; i < 4000; i++) {
      const caller = new AbortController();
      callers.push(caller);
      outcomes.push(queue.add(async (_signal) => i, { signal: caller.signal }).catch((e) => e));
    }
    callers.forEach((caller, i) => {
      if (i % 40 !== 0) caller.abort();
    });
    expect(queue.size).toBe(100);
    expect(queue.retainedEntries).toBeLessThanOrEqual(2 * 100 + 64);
    queue.resume();
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => typeof r === "number")).toEqual(Array.from({ length: 100 }, (_, k) => k * 40));
  });
});

describe("a timed-out task that never settles", () => {
  it("keeps its slot for the grace period, then releases it: counted abandoned, reported once, not waited for by onIdle", async () => {
    const clock = new ManualClock();
    const abandoned: AbandonedTask[] = [];
    const queue = new TaskQueue({ concurrency: 1, clock, onAbandoned: (task) => abandoned.push(task) });
    let seen: AbortSignal | undefined;
    const hung = track(
      queue.add(
        (signal) => {
          seen = signal;
          return never(signal);
        },
        { timeoutMs: 100, id: "hung" },
      ),
    );
    const next = track(queue.add(async (_signal) => "next ran"));
    await settle();
    await clock.advance(100);
    expect(hung.error).toBeInstanceOf(TaskTimeoutError);
    expect(seen!.aborted).toBe(true);
    // within the grace period (min(timeout, 5000) = 100 ms): still holds the slot
    expect(queue.pending).toBe(1);
    expect(next.settled).toBe(false);
    await clock.advance(99);
    expect(next.settled).toBe(false);
    await clock.advance(1);
    await settle();
    expect(next.value).toBe("next ran");
    expect(abandoned).toEqual([{ id: "hung", priority: 0, reason: "timeout", timeoutMs: 100, graceMs: 100 }]);
    expect(queue.stats()).toMatchObject({ timedOut: 1, abandoned: 1, completed: 1, running: 0 });
    // idle although the abandoned function never settles
    await queue.onIdle();
    await clock.advance(10_000);
    expect(abandoned).toHaveLength(1);
  });

  it("caps the default grace at 5 s, honours timeoutGraceMs (0: released at the timeout), and does not abandon a task that stops in time", async () => {
    expect(DEFAULT_TIMEOUT_GRACE_MS).toBe(5000);
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 1, clock });
    const hung = track(queue.add(never, { timeoutMs: 60_000 }));
    await clock.advance(60_000);
    expect(hung.error).toBeInstanceOf(TaskTimeoutError);
    await clock.advance(4_999);
    expect(queue.pending).toBe(1);
    await clock.advance(1);
    expect(queue.pending).toBe(0);
    expect(queue.stats().abandoned).toBe(1);

    const immediate = new TaskQueue({ concurrency: 1, clock, timeoutGraceMs: 0 });
    immediate.add(never, { timeoutMs: 10 }).catch(() => {});
    await clock.advance(10);
    expect(immediate.pending).toBe(0);
    expect(immediate.stats().abandoned).toBe(1);

    // a task that stops when its signal aborts settles within the grace: an ordinary timeout, not abandoned
    const polite = new TaskQueue({ concurrency: 1, clock });
    const stops = (signal: AbortSignal) =>
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    polite.add(stops, { timeoutMs: 10 }).catch(() => {});
    await clock.advance(10);
    await settle();
    expect(polite.pending).toBe(0);
    await clock.advance(10);
    expect(polite.stats()).toMatchObject({ timedOut: 1, abandoned: 0 });

    for (const timeoutGraceMs of [-1, Number.NaN, "5s"]) {
      expect(() => new TaskQueue({ timeoutGraceMs: timeoutGraceMs as number })).toThrow(TaskQueueConfigError);
    }
    expect(() => new TaskQueue({ onAbandoned: 1 as never })).toThrow(/onAbandoned/);
  });
});

describe("a task aborted at the shutdown deadline that never settles", () => {
  it("keeps its slot for the grace period (default 5 s), then is abandoned: reported once, counted, onIdle() resolves", async () => {
    const clock = new ManualClock();
    const abandoned: AbandonedTask[] = [];
    const queue = new TaskQueue({ concurrency: 2, clock, onAbandoned: (task) => abandoned.push(task) });
    let seen: AbortSignal | undefined;
    const hung = track(
      queue.add(
        (signal) => {
          seen = signal;
          return never(signal);
        },
        { id: "hung", priority: "high" },
      ),
    );
    await settle();
    const report = track(queue.shutdown({ timeoutMs: 100 }));
    await clock.advance(100);
    await settle();
    expect(report.value).toEqual({ finished: 0, aborted: 1, returned: 0 });
    expect(hung.error).toBeInstanceOf(ShutdownError);
    expect((hung.error as ShutdownError).outcome).toBe("aborted");
    expect(seen!.aborted).toBe(true);

    const idle = track(queue.onIdle());
    await clock.advance(DEFAULT_TIMEOUT_GRACE_MS - 1);
    expect(idle.settled).toBe(false);
    expect(queue.pending).toBe(1);
    expect(abandoned).toEqual([]);
    await clock.advance(1);
    await settle();
    expect(idle.settled).toBe(true);
    expect(abandoned).toEqual([{ id: "hung", priority: 20, reason: "shutdown", graceMs: DEFAULT_TIMEOUT_GRACE_MS }]);
    expect(queue.stats()).toMatchObject({ accepted: 1, aborted: 1, abandoned: 1, timedOut: 0, running: 0 });
    await clock.advance(60_000);
    expect(abandoned).toHaveLength(1);
  });

  it("uses timeoutGraceMs (0: abandoned at the deadline), also for a forced stop, and the task's own timeout no longer counts", async () => {
    const clock = new ManualClock();
    const abandoned: AbandonedTask[] = [];
    const queue = new TaskQueue({ clock, timeoutGraceMs: 0, onAbandoned: (task) => abandoned.push(task) });
    queue.add(never, { id: "forced", timeoutMs: 1_000 }).catch(() => {});
    await settle();
    const force = new AbortController();
    const report = track(queue.shutdown({ timeoutMs: 60_000, signal: force.signal }));
    force.abort();
    await settle();
    expect(report.value).toEqual({ finished: 0, aborted: 1, returned: 0 });
    await queue.onIdle();
    expect(abandoned).toEqual([{ id: "forced", priority: 0, reason: "shutdown", graceMs: 0 }]);
    // past the task's timeout: it is neither timed out nor abandoned a second time
    await clock.advance(2_000);
    expect(queue.stats()).toMatchObject({ aborted: 1, abandoned: 1, timedOut: 0 });
    expect(abandoned).toHaveLength(1);
  });

  it("is not abandoned when it stops within the grace period: onIdle() resolves when it settles", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ clock, timeoutGraceMs: 1_000 });
    const cleanup = deferred<void>();
    const stops = (signal: AbortSignal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => cleanup.promise.then(() => reject(signal.reason))),
      );
    const task = track(queue.add(stops));
    await settle();
    const report = track(queue.shutdown({ timeoutMs: 0 }));
    await clock.advance(0);
    expect(report.value).toEqual({ finished: 0, aborted: 1, returned: 0 });
    expect(task.error).toBeInstanceOf(ShutdownError);
    const idle = track(queue.onIdle());
    await clock.advance(500);
    expect(idle.settled).toBe(false);
    cleanup.resolve();
    await settle();
    expect(idle.settled).toBe(true);
    await clock.advance(1_000);
    expect(queue.stats()).toMatchObject({ aborted: 1, abandoned: 0, running: 0 });
  });
});

describe('overflow "wait" and priority', () => {
  it("starts the highest priority next whether it is queued or waiting for room, FIFO within a priority", async () => {
    const queue = new TaskQueue({ concurrency: 1, maxQueued: 2, overflow: "wait", paused: true });
    const order: string[] = [];
    const task = (name: string) => async (_signal: AbortSignal) => {
      order.push(name);
    };
    const all: Promise<unknown>[] = [];
    for (let i = 1; i <= 6; i++) all.push(queue.add(task(`low${i}`), { priority: "low" }));
    all.push(queue.add(task("high1"), { priority: "high" }));
    all.push(queue.add(task("critical"), { priority: "critical" }));
    all.push(queue.add(task("high2"), { priority: "high" }));
    expect(queue.stats()).toMatchObject({ queued: 2, waiting: 7 });
    queue.resume();
    await Promise.all(all);
    expect(order).toEqual(["critical", "high1", "high2", "low1", "low2", "low3", "low4", "low5", "low6"]);
  });

  it("shed() admits waiting producers into the room it frees", async () => {
    const queue = new TaskQueue({ concurrency: 1, maxQueued: 2, overflow: "wait", paused: true });
    const handles = ["L1", "L2", "N1", "N2"].map((id) =>
      track(queue.enqueue(async (_signal) => id, { id, priority: id.startsWith("L") ? "low" : "normal" })),
    );
    await settle();
    expect(handles.map((h) => h.settled)).toEqual([true, true, false, false]);
    expect(queue.shed("normal")).toBe(2);
    await settle();
    expect(handles.map((h) => h.settled)).toEqual([true, true, true, true]);
    expect(queue.stats()).toMatchObject({ queued: 2, waiting: 0 });
    queue.resume();
    await queue.onIdle();
  });
});

describe("task checks", () => {
  it("names a promise passed as the task", async () => {
    const queue = new TaskQueue();
    const error = await queue.add(Promise.resolve(1) as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskQueueConfigError);
    expect((error as Error).message).toContain("a Promise (pass a function that returns it)");
  });

  it("check() gives the error add() would, and accepts or counts nothing", () => {
    const queue = new TaskQueue();
    expect(queue.check(async (_signal: AbortSignal) => 1, undefined)).toBeUndefined();
    expect(queue.check("nope", {})).toMatchObject({ option: "fn" });
    expect(queue.check(async () => 1, { signal: { aborted: true } as never })).toMatchObject({ option: "signal" });
    expect(queue.check(async () => 1, { priority: "HIGH" as never })).toMatchObject({ option: "priority" });
    expect(queue.check(async () => 1, { timeout: 5 } as never)).toMatchObject({ option: "timeout" });
    expect(queue.stats()).toMatchObject({ accepted: 0, rejected: 0 });
  });
});
