import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import {
  PRIORITY_LEVELS,
  QueueFullError,
  ShutdownError,
  TaskCancelledError,
  TaskQueue,
  TaskQueueConfigError,
  TaskTimeoutError,
} from "../../src/tasks/index.ts";
import { deferred, settle, track } from "../resilience/helpers.ts";

/** Never settles on its own; rejects with the signal's reason when aborted. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

describe("TaskQueue", () => {
  it("per-task cost stays constant: a listener a task leaves on its signal goes with the task (no signal collects them)", async () => {
    const queue = new TaskQueue({ concurrency: 8 });
    const signals = new Set<AbortSignal>();
    // Written like examples/agent.ts: no own timeout or signal, a listener added and never removed.
    const task = async (signal: AbortSignal) => {
      signals.add(signal);
      signal.addEventListener("abort", () => {});
      await Promise.resolve();
    };
    await Promise.all(Array.from({ length: 2000 }, () => queue.add(task)));
    const most = Math.max(...[...signals].map((s) => getEventListeners(s, "abort").length));
    expect(most).toBeLessThanOrEqual(1);
    expect(signals.size).toBe(2000);
    // Shutdown still aborts the signal of a task that is running.
    let seen: AbortSignal | undefined;
    const running = queue.add((signal) => {
      seen = signal;
      return untilAborted(signal);
    });
    await Promise.resolve();
    const report = await queue.shutdown({ timeoutMs: 0 });
    expect(report.aborted).toBe(1);
    expect(seen?.aborted).toBe(true);
    await expect(running).rejects.toBeInstanceOf(ShutdownError);
  });

  it("rejects bad options and arguments with a TaskQueueConfigError naming them", async () => {
    expect(() => new TaskQueue({ concurrency: 0 })).toThrow(/concurrency must be an integer >= 1 or Infinity, got 0/);
    expect(() => new TaskQueue({ maxQueued: -1 })).toThrow(TaskQueueConfigError);
    expect(() => new TaskQueue({ overflow: "drop" as never })).toThrow(/overflow must be "reject" or "wait"/);
    expect(() => new TaskQueue({ defaultTimeoutMs: 0 })).toThrow(/defaultTimeoutMs/);
    const queue = new TaskQueue();
    await expect(queue.add("nope" as never)).rejects.toThrow(/the task must be a function, got "nope"/);
    await expect(queue.add(async () => 1, { priority: "urgent" as never })).rejects.toThrow(
      /priority must be a finite number or one of/,
    );
    await expect(queue.add(async () => 1, { timeoutMs: -5 })).rejects.toMatchObject({
      name: "TaskQueueConfigError",
      option: "timeoutMs",
    });
    let ran = false;
    const typo = queue.add(async () => void (ran = true), { timeout: 5000 } as never);
    await expect(typo).rejects.toMatchObject({ name: "TaskQueueConfigError", option: "timeout" });
    await expect(typo).rejects.toThrow(
      'unknown task option "timeout" (did you mean "timeoutMs"?); task options are priority, timeoutMs, signal, id',
    );
    await expect(queue.enqueue(async () => 1, { prority: "high" } as never)).rejects.toThrow(/did you mean "priority"/);
    expect(ran).toBe(false);
    expect(queue.stats().accepted).toBe(0);
  });

  it("runs higher priorities first and FIFO within a level", async () => {
    const queue = new TaskQueue({ concurrency: 1, paused: true });
    const order: string[] = [];
    const add = (name: string, priority?: number | "critical" | "high" | "normal" | "low") =>
      queue.add(async () => void order.push(name), priority === undefined ? {} : { priority });
    const all = [
      add("low-1", "low"),
      add("normal-1"),
      add("high-1", "high"),
      add("critical-1", "critical"),
      add("25", 25),
      add("normal-2", "normal"),
      add("high-2", PRIORITY_LEVELS.high),
      add("low-2", -10),
    ];
    queue.resume();
    await Promise.all(all);
    expect(order).toEqual(["critical-1", "25", "high-1", "high-2", "normal-1", "normal-2", "low-1", "low-2"]);
  });

  it("never runs more than `concurrency` tasks at once", async () => {
    const queue = new TaskQueue({ concurrency: 3 });
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 20 }, (_, i) =>
      queue.add(async () => {
        running++;
        peak = Math.max(peak, running);
        await settle();
        running--;
        return i;
      }),
    );
    expect(queue.pending).toBe(3);
    expect(queue.size).toBe(17);
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it("counts the timeout from the start, aborts the signal, and holds the slot until the task really settles", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 1, clock });
    const first = deferred<string>();
    const p1 = track(queue.add(() => first.promise));
    let slowSignal: AbortSignal | undefined;
    const stubborn = deferred<string>();
    const p2 = track(
      queue.add(
        (signal) => {
          slowSignal = signal;
          return stubborn.promise; // ignores its signal
        },
        { timeoutMs: 100, id: "slow" },
      ),
    );
    let thirdStarted = false;
    const p3 = track(
      queue.add(async () => {
        thirdStarted = true;
      }),
    );

    await clock.advance(500); // p2 waits in the queue: its timeout has not started
    expect(p2.settled).toBe(false);
    first.resolve("one");
    await settle();
    expect(p1.value).toBe("one");
    expect(slowSignal?.aborted).toBe(false);

    await clock.advance(99);
    expect(p2.settled).toBe(false);
    await clock.advance(1);
    expect(p2.error).toBeInstanceOf(TaskTimeoutError);
    expect((p2.error as TaskTimeoutError).message).toBe("Task 'slow' timed out after 100 ms");
    expect(slowSignal!.aborted).toBe(true);
    expect(slowSignal!.reason).toBe(p2.error);
    await settle();
    expect(thirdStarted).toBe(false); // the slot is still held
    expect(queue.stats()).toMatchObject({ running: 1, timedOut: 1, queued: 1 });

    stubborn.resolve("too late");
    await settle();
    expect(thirdStarted).toBe(true);
    expect(p3.settled).toBe(true);
    expect(queue.stats()).toMatchObject({ completed: 2, timedOut: 1, running: 0 });
  });

  it("rejects overflow with QueueFullError when the bounded queue is full", async () => {
    const queue = new TaskQueue({ concurrency: 1, maxQueued: 2 });
    const block = deferred();
    const running = queue.add(() => block.promise);
    const queued = [queue.add(async () => 1), queue.add(async () => 2)];
    const error = await queue.add(async () => 3, { id: "extra" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({
      maxQueued: 2,
      taskId: "extra",
      message: "Task queue is full (2 queued); task 'extra' was not accepted",
    });
    expect(queue.stats()).toMatchObject({ accepted: 3, rejected: 1, queued: 2, running: 1 });
    block.resolve();
    await Promise.all([running, ...queued]);
  });

  it("makes the producer wait for room with overflow 'wait'", async () => {
    const queue = new TaskQueue({ concurrency: 1, maxQueued: 1, overflow: "wait" });
    const block = deferred();
    const order: number[] = [];
    const h0 = await queue.enqueue(() => block.promise);
    const h1 = await queue.enqueue(async () => void order.push(1));
    const admitted = track(queue.enqueue(async () => void order.push(2), { id: "third" }));
    await settle();
    expect(admitted.settled).toBe(false);
    expect(queue.stats()).toMatchObject({ queued: 1, waiting: 1 });
    block.resolve();
    await h0.result;
    await settle();
    expect(admitted.settled).toBe(true);
    expect((admitted.value as { id: string }).id).toBe("third");
    await h1.result;
    await (admitted.value as { result: Promise<void> }).result;
    expect(order).toEqual([1, 2]);
  });

  it("with maxQueued 0 and overflow 'wait', hands waiting tasks straight to free slots", async () => {
    const queue = new TaskQueue({ concurrency: 1, maxQueued: 0, overflow: "wait" });
    const results = await Promise.all([
      queue.add(async () => "a"),
      queue.add(async () => "b"),
      queue.add(async () => "c"),
    ]);
    expect(results).toEqual(["a", "b", "c"]);
  });

  it("cancels a queued task by its signal; aborting a running task aborts its signal", async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const runningController = new AbortController();
    let runningSignal: AbortSignal | undefined;
    const running = track(
      queue.add(
        (signal) => {
          runningSignal = signal;
          return untilAborted(signal);
        },
        { signal: runningController.signal, id: "r" },
      ),
    );
    const queuedController = new AbortController();
    let ran = false;
    const queued = track(
      queue.add(
        async () => {
          ran = true;
        },
        { signal: queuedController.signal, id: "q" },
      ),
    );
    queuedController.abort(new Error("not needed"));
    await settle();
    expect(queued.error).toBeInstanceOf(TaskCancelledError);
    expect(queued.error).toMatchObject({ taskId: "q", phase: "queued" });
    expect(((queued.error as Error).cause as Error).message).toBe("not needed");
    expect(queue.size).toBe(0);

    runningController.abort(new Error("stop"));
    await settle();
    expect(runningSignal!.aborted).toBe(true);
    expect(running.error).toMatchObject({ name: "TaskCancelledError", phase: "running" });
    expect(ran).toBe(false);
    expect(queue.stats()).toMatchObject({ cancelled: 2, completed: 0, failed: 0 });

    const already = await queue.add(async () => 1, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(already).toBeInstanceOf(TaskCancelledError);
  });

  it("pauses and resumes; onIdle waits for everything", async () => {
    const queue = new TaskQueue({ concurrency: 2 });
    queue.pause();
    let done = 0;
    for (let i = 0; i < 5; i++)
      void queue.add(async () => {
        await settle();
        done++;
      });
    const idle = track(queue.onIdle());
    await settle();
    expect(done).toBe(0);
    expect(queue.isPaused).toBe(true);
    queue.resume();
    await queue.onIdle();
    expect(done).toBe(5);
    expect(idle.settled).toBe(true);
    await expect(queue.onIdle()).resolves.toBeUndefined();
  });

  it("reports wait and run latencies from its clock", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 1, clock });
    const tasks = [100, 300].map((ms) => queue.add(() => clock.sleep(ms)));
    await clock.advance(400);
    await Promise.all(tasks);
    const stats = queue.stats();
    expect(stats.wait).toEqual({ count: 2, avgMs: 50, p95Ms: 100 });
    expect(stats.run).toEqual({ count: 2, avgMs: 200, p95Ms: 300 });
  });

  it("clear() rejects every queued task with a ShutdownError carrying what is needed to resubmit", async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const block = deferred<string>();
    const running = queue.add(() => block.promise);
    const task = async () => "resubmitted";
    const queued = queue.add(task, { id: "job-7", priority: "high" }).catch((e: unknown) => e);
    expect(queue.clear()).toBe(1);
    const error = (await queued) as ShutdownError;
    expect(error).toBeInstanceOf(ShutdownError);
    expect(error).toMatchObject({
      taskId: "job-7",
      outcome: "returned",
      task,
      options: { id: "job-7", priority: "high" },
    });
    expect(error.message).toBe("Task 'job-7' was returned unstarted because the queue was cleared or shut down");
    block.resolve("kept");
    expect(await running).toBe("kept");
    expect(await queue.add(error.task, error.options)).toBe("resubmitted");
    expect(queue.stats()).toMatchObject({ returned: 1, completed: 2 });
  });

  it("close() stops intake but lets accepted tasks finish", async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const accepted = [queue.add(async () => 1), queue.add(async () => 2)];
    queue.close();
    const refused = await queue.add(async () => 3, { id: "late" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: "ShutdownError", outcome: "closed", taskId: "late" });
    expect(await Promise.all(accepted)).toEqual([1, 2]);
    expect(queue.stats()).toMatchObject({ accepted: 2, rejected: 1, completed: 2 });
  });

  it("shutdown lets running tasks finish within the timeout, aborts the rest and returns the queued ones", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 3, clock });
    const quick = track(queue.add(() => clock.sleep(100).then(() => "quick")));
    const failing = track(queue.add(() => clock.sleep(200).then(() => Promise.reject(new Error("task bug")))));
    let stubbornSignal: AbortSignal | undefined;
    const stubborn = track(
      queue.add(
        (signal) => {
          stubbornSignal = signal;
          return new Promise(() => {}); // never settles, ignores its signal
        },
        { id: "stubborn" },
      ),
    );
    const queued = [track(queue.add(async () => "never")), track(queue.add(async () => "never"))];

    const report = track(queue.shutdown({ timeoutMs: 1000 }));
    await settle();
    expect(queued.every((q) => (q.error as ShutdownError)?.outcome === "returned")).toBe(true);
    expect(await queue.add(async () => 1).catch((e: unknown) => (e as ShutdownError).outcome)).toBe("closed");

    await clock.advance(999);
    expect(quick.value).toBe("quick");
    expect((failing.error as Error).message).toBe("task bug");
    expect(stubborn.settled).toBe(false);
    expect(report.settled).toBe(false);
    await clock.advance(1);
    await settle();
    expect(report.value).toEqual({ finished: 2, aborted: 1, returned: 2 });
    expect(stubborn.error).toMatchObject({ name: "ShutdownError", outcome: "aborted", taskId: "stubborn" });
    expect(stubbornSignal!.aborted).toBe(true);
    expect(stubbornSignal!.reason).toBeInstanceOf(ShutdownError);
    expect(queue.stats()).toMatchObject({ accepted: 5, completed: 1, failed: 1, aborted: 1, returned: 2 });
    expect(queue.shutdown()).toBe(queue.shutdown());
  });

  it("shutdown resolves as soon as running tasks finish (real timers)", async () => {
    const queue = new TaskQueue({ concurrency: 2 });
    const tasks = [
      queue.add(() => new Promise((r) => setTimeout(r, 20))),
      queue.add(() => new Promise((r) => setTimeout(r, 30))),
    ];
    const started = performance.now();
    expect(await queue.shutdown({ timeoutMs: 5000 })).toEqual({ finished: 2, aborted: 0, returned: 0 });
    expect(performance.now() - started).toBeLessThan(1000);
    await Promise.all(tasks);
  });

  it("shutdown stops waiting as soon as its signal aborts", async () => {
    const clock = new ManualClock();
    const queue = new TaskQueue({ concurrency: 1, clock });
    let taskSignal: AbortSignal | undefined;
    const running = track(
      queue.add((signal) => {
        taskSignal = signal;
        return untilAborted(signal);
      }),
    );
    const force = new AbortController();
    const report = track(queue.shutdown({ timeoutMs: 60_000, signal: force.signal }));
    await clock.advance(10);
    expect(report.settled).toBe(false);
    force.abort(new Error("shutdownTimeout passed"));
    await settle();
    expect(report.value).toEqual({ finished: 0, aborted: 1, returned: 0 });
    expect(taskSignal!.aborted).toBe(true);
    expect(running.error).toMatchObject({ name: "ShutdownError", outcome: "aborted" });
    expect(clock.pendingSleeps).toBe(0);
    await expect(new TaskQueue().shutdown({ signal: "soon" as never })).rejects.toMatchObject({ option: "signal" });
  });

  it("treats a synchronous throw or a plain value from the task like a rejection or a resolution", async () => {
    const queue = new TaskQueue();
    await expect(
      queue.add(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    await expect(queue.add(() => 7)).resolves.toBe(7);
    expect(queue.stats()).toMatchObject({ failed: 1, completed: 1 });
  });
});

describe("TaskQueue.shed", () => {
  it("returns queued tasks below the threshold with ShutdownError 'shed' and keeps the rest in order", async () => {
    const queue = new TaskQueue({ concurrency: 1, paused: true });
    const ran: string[] = [];
    const task = (name: string) => async () => void ran.push(name);
    const low = queue.add(task("low"), { priority: "low" });
    const normal = queue.add(task("normal"), { priority: "normal" });
    const high = queue.add(task("high"), { priority: "high" });
    const low2 = queue.add(task("low2"), { priority: -5 });
    expect(queue.shed("normal")).toBe(2);
    await expect(low).rejects.toMatchObject({ name: "ShutdownError", outcome: "shed" });
    await expect(low2).rejects.toMatchObject({ name: "ShutdownError", outcome: "shed" });
    queue.resume();
    await Promise.all([normal, high]);
    expect(ran).toEqual(["high", "normal"]);
    expect(queue.stats()).toMatchObject({ returned: 2, completed: 2, queued: 0 });
  });
});
