// The pool on real worker threads: it keeps dispatching after a task whose data cannot be sent (a real
// DataCloneError), and respawns a worker that keeps dying on its own with a growing delay, then not at all.
// (The same on Deno and Bun: conformance/src/cases/workers-recovery.ts.)
import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { WorkerPoolConfigError } from "../../src/workers/errors.ts";
import { CRASH_BACKOFF_BASE_MS, MAX_CONSECUTIVE_CRASHES, WorkerPool } from "../../src/workers/pool.ts";
import type { WorkerCrash } from "../../src/workers/pool.ts";
import { fixture, realPlatform, realWorkers, until, within } from "./real-workers.ts";

describe("WorkerPool on real workers", () => {
  it("a task whose data cannot be cloned fails alone: the idle worker takes the tasks queued behind it", async () => {
    const pool = new WorkerPool(realPlatform(), fixture("echo-worker"), { size: 1 });
    try {
      await within("start()", pool.start());
      const busy = pool.run({ v: "busy" });
      const bad = pool.run({ v: () => 1 });
      const good = pool.run({ v: "good" });
      const good2 = pool.run({ v: "good2" });
      expect(pool.stats()).toMatchObject({ busy: 1, queued: 3 });
      await expect(within("the busy task", busy)).resolves.toEqual({ v: "busy" });
      await expect(within("the bad task", bad)).rejects.toMatchObject({
        name: "WorkerPoolConfigError",
        option: "data",
      });
      await expect(within("the task queued behind the bad one", good)).resolves.toEqual({ v: "good" });
      await expect(within("the second task queued behind it", good2)).resolves.toEqual({ v: "good2" });
      expect(pool.stats()).toMatchObject({ idle: 1, queued: 0, completed: 3, failed: 1 });
    } finally {
      await pool.terminate();
    }
  });

  it("a worker that keeps dying idle is respawned at once, then after a doubling delay, then no more until run()", async () => {
    const clock = new ManualClock();
    const crashes: WorkerCrash[] = [];
    const pool = new WorkerPool(realPlatform(), fixture("idle-crash-worker"), {
      size: 1,
      clock,
      onCrash: (crash) => crashes.push(crash),
    });
    try {
      await within("start()", pool.start());
      await until("two crashes", () => crashes.length >= 2);
      expect(crashes.map((c) => c.respawnInMs)).toEqual([0, CRASH_BACKOFF_BASE_MS]);
      expect(crashes[0]).toMatchObject({ taskId: undefined, consecutive: 1, exitCode: 1 });
      expect(crashes[0]!.error?.message).toContain("background timer blew up");
      // the backoff holds the respawn: no worker runs until the pool's clock moves
      expect(pool.stats()).toMatchObject({ workers: 0, crashed: 2 });
      for (let n = 2; n <= MAX_CONSECUTIVE_CRASHES; n++) {
        const delay = crashes[n - 1]!.respawnInMs!;
        expect(delay).toBe(CRASH_BACKOFF_BASE_MS * 2 ** (n - 2));
        await clock.advance(delay - 1);
        expect(pool.stats().workers).toBe(0);
        await clock.advance(1);
        expect(pool.stats().workers).toBe(1);
        await until(`crash ${n + 1}`, () => crashes.length > n);
      }
      expect(crashes).toHaveLength(MAX_CONSECUTIVE_CRASHES + 1);
      expect(crashes.at(-1)).toMatchObject({ consecutive: MAX_CONSECUTIVE_CRASHES + 1, respawnInMs: null });
      // stopped: nothing is pending on the clock and no worker runs
      await clock.advance(3_600_000);
      expect(pool.stats()).toMatchObject({ workers: 0, crashed: MAX_CONSECUTIVE_CRASHES + 1 });
      expect(crashes).toHaveLength(MAX_CONSECUTIVE_CRASHES + 1);
      // run() tries again: one worker (this module never answers, so the task dies with it), then stopped again
      await expect(within("run() after respawning stopped", pool.run("again"))).rejects.toMatchObject({
        name: "WorkerCrashedError",
      });
      expect(crashes.at(-1)).toMatchObject({ taskId: 1, respawnInMs: null });
      expect(pool.stats().workers).toBe(0);
    } finally {
      await pool.terminate();
    }
  });

  it("refuses an onCrash that is not a function", () => {
    expect(() => new WorkerPool(realPlatform(), fixture("echo-worker"), { onCrash: 1 as never })).toThrow(
      WorkerPoolConfigError,
    );
  });
});

describe("AralRuntime.createWorkerPool", () => {
  function runtime(logs: Record<string, unknown>[] = []): AralRuntime {
    return new AralRuntime(
      { logging: { level: "info" }, lifecycle: { healthcheck: { enabled: false } } },
      {
        platform: { ...createPlatform(), workers: realWorkers() },
        logSink: (line: string) => {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        },
        handleSignals: false,
        env: {},
      },
    );
  }

  it("refuses options that are not an object, as new WorkerPool does", async () => {
    const r = runtime();
    await r.start();
    try {
      for (const options of [4, null, "big", [8]]) {
        let error: unknown;
        try {
          r.createWorkerPool(fixture("echo-worker"), options as never);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(WorkerPoolConfigError);
        expect(error).toMatchObject({ option: "options" });
      }
      expect(() => r.createWorkerPool(fixture("echo-worker"), { onCrash: "log" as never })).toThrow(
        WorkerPoolConfigError,
      );
    } finally {
      await r.stop();
    }
  });

  it("keeps no closer for a pool its owner terminated; the live ones are terminated at stop", async () => {
    const r = runtime();
    await r.start();
    const pools = Array.from({ length: 50 }, () => r.createWorkerPool(fixture("echo-worker"), { size: 1 }));
    const live = pools.pop()!;
    for (const pool of pools) await pool.terminate();
    const report = await r.stop();
    const poolClosers = report.closed.filter((name) => String(name).startsWith("worker pool"));
    expect(poolClosers).toEqual(["worker pools"]);
    expect(live.stats().terminated).toBe(true);
  });

  it("logs a worker that dies while idle at error level and still tells the user's onCrash", async () => {
    const logs: Record<string, unknown>[] = [];
    const r = runtime(logs);
    await r.start();
    try {
      const seen: WorkerCrash[] = [];
      const clock = new ManualClock();
      const pool = r.createWorkerPool(fixture("idle-crash-worker"), { size: 1, clock, onCrash: (c) => seen.push(c) });
      await within("start()", pool.start());
      const crashLogs = () => logs.filter((record) => record.event === "workers.crash");
      await until("a logged crash", () => crashLogs().length >= 1);
      expect(crashLogs()[0]).toMatchObject({ level: 50, worker: "aral-worker-1", consecutive: 1 });
      expect(String(crashLogs()[0]!.msg)).toContain("while idle");
      // the user's own onCrash still hears it
      await until("the user's onCrash", () => seen.length >= 1);
      expect(seen[0]).toMatchObject({ consecutive: 1, respawnInMs: 0 });
      await pool.terminate();
    } finally {
      await r.stop();
    }
  });
});
