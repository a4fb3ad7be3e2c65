import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { PlatformError } from "@aral/platform";
import { PROTOCOL_TAG } from "../../src/workers/protocol.ts";
import { WorkerPool } from "../../src/workers/pool.ts";
import {
  WorkerCrashedError,
  WorkerPoolConfigError,
  WorkerPoolTerminatedError,
  WorkerStartError,
  WorkerTaskCancelledError,
  WorkerTaskError,
  WorkerTaskTimeoutError,
} from "../../src/workers/errors.ts";
import { fakePlatform, settle } from "./fake-workers.ts";
import type { FakeWorker } from "./fake-workers.ts";

/** A promise the test resolves by hand: a task that runs until the test says so. */
function gate<T = unknown>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe("WorkerPool sizing and options", () => {
  it("takes an explicit size as given, else sizes from the CPU limit capped by the cores", () => {
    const { platform } = fakePlatform({ cpus: 4 });
    expect(new WorkerPool(platform, "w.js", { size: 3 }).size).toBe(3);
    expect(new WorkerPool(platform, "w.js", { size: 8 }).size).toBe(8);
    expect(new WorkerPool(platform, "w.js", { cpuLimit: "2000m" }).size).toBe(2);
    expect(new WorkerPool(platform, "w.js", { cpuLimit: "500m" }).size).toBe(1);
    expect(new WorkerPool(platform, "w.js", { cpuLimit: 16 }).size).toBe(4);
    expect(new WorkerPool(platform, "w.js").size).toBe(4);
  });

  it("rejects bad options with WorkerPoolConfigError naming the option", () => {
    const { platform } = fakePlatform();
    for (const [options, option] of [
      [{ size: 0 }, "size"],
      [{ size: 1.5 }, "size"],
      [{ size: 2000 }, "size"],
      [{ cpuLimit: "2GB" }, "cpuLimit"],
      [{ cpuLimit: "0" }, "cpuLimit"],
      [{ startTimeoutMs: -1 }, "startTimeoutMs"],
      [{ name: "" }, "name"],
    ] as const) {
      const error = (() => {
        try {
          new WorkerPool(platform, "w.js", options as never);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(WorkerPoolConfigError);
      expect(error).toMatchObject({ option });
    }
    expect(() => new WorkerPool(platform, 42 as never)).toThrow(WorkerPoolConfigError);
    expect(() => new WorkerPool(platform, " ")).toThrow(/module/);
  });

  it("throws PlatformError Unsupported for a platform without workers", () => {
    const error = (() => {
      try {
        new WorkerPool({ runtime: fakePlatform().platform.runtime } as never, "w.js");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "Unsupported" });
  });

  it("rejects a bad timeoutMs or signal per task with WorkerPoolConfigError", async () => {
    const { platform, spawned } = fakePlatform();
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    await expect(pool.run(1, { timeoutMs: 0 })).rejects.toMatchObject({
      name: "WorkerPoolConfigError",
      option: "timeoutMs",
    });
    await expect(pool.run(1, { signal: {} as AbortSignal })).rejects.toMatchObject({ option: "signal" });
    expect(spawned).toHaveLength(0);
  });
});

describe("WorkerPool tasks", () => {
  it("starts workers on demand, up to its size, and returns each task's result", async () => {
    const { platform, spawned } = fakePlatform({ handler: (n) => (n as number) * 2 });
    const pool = new WorkerPool(platform, "w.js", { size: 2 });
    expect(pool.stats().workers).toBe(0);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run(n)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(spawned).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ size: 2, workers: 2, idle: 2, busy: 0, queued: 0, completed: 5, failed: 0 });
    await pool.terminate();
  });

  it("queues FIFO while every worker is busy", async () => {
    const started: number[] = [];
    const gates = new Map<number, ReturnType<typeof gate>>();
    const { platform } = fakePlatform({
      handler: (n) => {
        started.push(n as number);
        const g = gate();
        gates.set(n as number, g);
        return g.promise.then(() => n);
      },
    });
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    const runs = [1, 2, 3, 4].map((n) => pool.run(n));
    await settle();
    expect(started).toEqual([1]);
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 3 });
    for (const n of [1, 2, 3, 4]) {
      gates.get(n)!.open(undefined);
      await settle();
    }
    expect(started).toEqual([1, 2, 3, 4]);
    expect(await Promise.all(runs)).toEqual([1, 2, 3, 4]);
    await pool.terminate();
  });

  it("a task that throws in the worker rejects with WorkerTaskError: the worker's message, name and stack", async () => {
    const { platform, spawned } = fakePlatform({
      handler: (data) => {
        if (data === "bad") throw new RangeError("value out of range: 99");
        return "fine";
      },
    });
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    const error = await pool.run("bad").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerTaskError);
    expect(error).toMatchObject({
      name: "WorkerTaskError",
      message: "value out of range: 99",
      remoteName: "RangeError",
      worker: "aral-worker-1",
    });
    expect((error as Error).stack).toContain("RangeError: value out of range: 99");
    expect(await pool.run("ok")).toBe("fine");
    expect(spawned).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ completed: 1, failed: 1, crashed: 0 });
    await pool.terminate();
  });

  it("a crashed worker fails its task with WorkerCrashedError (the worker's own error as cause) and is replaced", async () => {
    const { platform, spawned, alive } = fakePlatform({
      handler: (data, worker) => {
        if (data === "crash") {
          setTimeout(() => worker.crash("segfault-ish"), 0);
          return new Promise(() => {});
        }
        return worker.index;
      },
    });
    const pool = new WorkerPool(platform, "w.js", { size: 2 });
    await pool.start();
    const error = await pool.run("crash").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ exitCode: 1, worker: "aral-worker-1" });
    expect((error as Error).message).toContain("segfault-ish");
    expect(((error as Error).cause as Error).message).toBe("segfault-ish");
    expect(spawned).toHaveLength(3);
    await pool.start();
    expect(alive()).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ size: 2, workers: 2, crashed: 1, replaced: 1 });
    expect(new Set(await Promise.all([1, 2, 3, 4].map(() => pool.run("who"))))).not.toContain(1);
    await pool.terminate();
  });

  it("without the worker's crash report, the platform's error is the cause", async () => {
    const { platform } = fakePlatform({
      handler: (_data, worker) => {
        setTimeout(() => worker.crash("no report", { report: false }), 0);
        return new Promise(() => {});
      },
    });
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    const error = (await pool.run("x").catch((e: unknown) => e)) as WorkerCrashedError;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error.cause as Error).message).toBe("Uncaught Error: no report");
    await pool.terminate();
  });

  it("a worker that exits by itself while idle is counted as crashed and replaced", async () => {
    const { platform, spawned } = fakePlatform();
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    await pool.start();
    spawned[0]!.exit(0);
    await pool.start();
    expect(spawned).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ workers: 1, idle: 1, crashed: 1, replaced: 1 });
    expect(await pool.run("still works")).toBe("still works");
    await pool.terminate();
  });

  it("data that cannot be cloned rejects that task; the worker keeps serving", async () => {
    const { platform, spawned } = fakePlatform();
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    const error = await pool.run({ fn: () => 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerPoolConfigError);
    expect((error as Error).message).toMatch(/option 'data': expected structured-cloneable data .*, got \{/);
    expect(((error as Error).cause as Error).name).toBe("DataCloneError");
    expect(await pool.run({ plain: true })).toEqual({ plain: true });
    expect(spawned).toHaveLength(1);
    await pool.terminate();
  });

  it("ignores messages that are not the pool's, and results for tasks the worker is not running", async () => {
    const { platform, spawned } = fakePlatform({ handler: () => new Promise(() => {}) });
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    const running = pool.run("x");
    await settle();
    spawned[0]!.send({ hello: "user message" });
    spawned[0]!.send({ aral: PROTOCOL_TAG, kind: "result", id: 999, ok: true, value: "stray" });
    await settle();
    expect(pool.stats()).toMatchObject({ busy: 1, completed: 0 });
    spawned[0]!.send({ aral: PROTOCOL_TAG, kind: "result", id: 1, ok: true, value: "mine" });
    expect(await running).toBe("mine");
    await pool.terminate();
  });
});

describe("WorkerPool start failures", () => {
  it("a missing module rejects the queued tasks with WorkerStartError (cause: PlatformError NotFound) and does not spawn in a loop", async () => {
    const { platform, spawned } = fakePlatform({ behaviour: () => "missing" });
    const pool = new WorkerPool(platform, "/nope/w.js", { size: 2 });
    const errors = await Promise.all([1, 2, 3].map((n) => pool.run(n).catch((e: unknown) => e)));
    for (const error of errors) {
      expect(error).toBeInstanceOf(WorkerStartError);
      expect(error).toMatchObject({ module: "/nope/w.js" });
      expect((error as Error).cause).toBeInstanceOf(PlatformError);
      expect((error as Error).cause).toMatchObject({ code: "NotFound" });
    }
    await settle();
    expect(spawned).toHaveLength(2);
    await expect(pool.run(4)).rejects.toBeInstanceOf(WorkerStartError);
    expect(spawned.length).toBeLessThanOrEqual(4);
    await pool.terminate();
  });

  it("start() resolves once every worker is ready, and rejects with WorkerStartError when one fails", async () => {
    const good = fakePlatform();
    const pool = new WorkerPool(good.platform, "w.js", { size: 3 });
    await pool.start();
    expect(pool.stats()).toMatchObject({ workers: 3, idle: 3, starting: 0 });
    await pool.start();
    expect(good.spawned).toHaveLength(3);
    await pool.terminate();
    await expect(pool.start()).rejects.toBeInstanceOf(WorkerPoolTerminatedError);

    const bad = fakePlatform({ behaviour: () => "missing" });
    const failing = new WorkerPool(bad.platform, "w.js", { size: 2 });
    await expect(failing.start()).rejects.toBeInstanceOf(WorkerStartError);
    await failing.terminate();
  });

  it("a spawn() that throws (Unsupported) rejects start() and run() with WorkerStartError carrying it", async () => {
    const unsupported = new PlatformError("Unsupported", "Unsupported: no workers here");
    const { platform } = fakePlatform({ spawnThrows: unsupported });
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    await expect(pool.start()).rejects.toMatchObject({ name: "WorkerStartError", cause: unsupported });
    await expect(pool.run(1)).rejects.toMatchObject({ name: "WorkerStartError", cause: unsupported });
  });

  it("a worker that never calls defineWorker() fails after startTimeoutMs (ManualClock)", async () => {
    const clock = new ManualClock();
    const { platform, spawned } = fakePlatform({ behaviour: () => "silent" });
    const pool = new WorkerPool(platform, "w.js", { size: 1, startTimeoutMs: 5_000, clock });
    const run = pool.run(1).catch((e: unknown) => e);
    await settle();
    clock.advance(4_999);
    await settle();
    expect(pool.stats().starting).toBe(1);
    clock.advance(1);
    const error = await run;
    expect(error).toBeInstanceOf(WorkerStartError);
    expect((error as Error).message).toContain("did not call defineWorker() within 5000 ms");
    expect(spawned[0]!.terminated).toBe(true);
  });
});

describe("WorkerPool timeouts, cancellation and terminate", () => {
  it("a task past timeoutMs rejects with WorkerTaskTimeoutError; its worker is terminated and replaced (ManualClock)", async () => {
    const clock = new ManualClock();
    const { platform, spawned } = fakePlatform({
      handler: (data, worker) => (data === "hang" ? new Promise(() => {}) : worker.index),
    });
    const pool = new WorkerPool(platform, "w.js", { size: 1, clock });
    const hanging = pool.run("hang", { timeoutMs: 1_000 }).catch((e: unknown) => e);
    const queued = pool.run("who", { timeoutMs: 1_000 });
    await settle();
    clock.advance(999);
    await settle();
    expect(pool.stats().busy).toBe(1);
    clock.advance(1);
    const error = await hanging;
    expect(error).toBeInstanceOf(WorkerTaskTimeoutError);
    expect(error).toMatchObject({ taskId: 1, timeoutMs: 1_000 });
    expect(spawned[0]!.terminated).toBe(true);
    // The queued task's clock starts when it runs, on the replacement.
    expect(await queued).toBe(2);
    expect(pool.stats()).toMatchObject({ replaced: 1, crashed: 0, workers: 1 });
    await pool.terminate();
  });

  it("aborting a queued task removes it; aborting a running one replaces its worker; an aborted signal rejects at once", async () => {
    const { platform, spawned } = fakePlatform({
      handler: (data, worker) => (data === "hang" ? new Promise(() => {}) : worker.index),
    });
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    const running = new AbortController();
    const waiting = new AbortController();
    const first = pool.run("hang", { signal: running.signal }).catch((e: unknown) => e);
    const second = pool.run("hang", { signal: waiting.signal }).catch((e: unknown) => e);
    await settle();
    waiting.abort(new Error("not needed"));
    expect(await second).toMatchObject({ name: "WorkerTaskCancelledError", phase: "queued", taskId: 2 });
    expect(((await second) as Error).cause).toMatchObject({ message: "not needed" });
    running.abort();
    expect(await first).toBeInstanceOf(WorkerTaskCancelledError);
    expect(await first).toMatchObject({ phase: "running" });
    expect(spawned[0]!.terminated).toBe(true);
    expect(spawned[0]!.received.filter((m) => (m as { kind?: string }).kind === "task")).toHaveLength(1);
    expect(await pool.run("who")).toBe(2);
    const aborted = AbortSignal.abort();
    await expect(pool.run("who", { signal: aborted })).rejects.toMatchObject({ phase: "queued" });
    await pool.terminate();
  });

  it("terminate() rejects running, queued and later tasks with WorkerPoolTerminatedError and ends every worker", async () => {
    const { platform, spawned } = fakePlatform({ handler: () => new Promise(() => {}) });
    const pool = new WorkerPool(platform, "w.js", { size: 2 });
    const runs = [1, 2, 3].map((n) => pool.run(n).catch((e: unknown) => e));
    await settle();
    expect(pool.stats()).toMatchObject({ busy: 2, queued: 1 });
    const stopping = pool.terminate();
    expect(pool.terminate()).toBe(stopping);
    await stopping;
    const errors = (await Promise.all(runs)) as WorkerPoolTerminatedError[];
    expect(errors.every((e) => e instanceof WorkerPoolTerminatedError)).toBe(true);
    expect(errors.map((e) => e.phase).sort()).toEqual(["queued", "running", "running"]);
    expect(spawned.every((w) => w.terminated && w.exited)).toBe(true);
    await expect(pool.run(4)).rejects.toMatchObject({ name: "WorkerPoolTerminatedError", phase: "after", taskId: 4 });
    expect(pool.stats()).toMatchObject({ workers: 0, queued: 0, terminated: true });
  });

  it("is async-disposable", async () => {
    const { platform, spawned } = fakePlatform();
    const pool = new WorkerPool(platform, "w.js", { size: 1 });
    await pool.run(1);
    await pool[Symbol.asyncDispose]();
    expect((spawned[0] as FakeWorker).terminated).toBe(true);
    expect(pool.stats().terminated).toBe(true);
  });
});
