import { MAX_CONSECUTIVE_CRASHES, CRASH_BACKOFF_BASE_MS, WorkerPool } from "@aral/core/workers";
import type { WorkerCrash } from "@aral/core/workers";
import { ManualClock } from "@aral/platform";
import { deepEqual, equal, fail, ok } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { fixtureUrl } from "../harness/fixture-command.ts";

/** Polls `condition` until it holds; fails the case with `what` past the deadline. */
async function until(what: string, condition: () => boolean, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) fail(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** How `promise` ended, or "pending" past the deadline (a hang fails the case instead of the run). */
async function outcome(promise: Promise<unknown>, deadlineMs = 15_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("pending"), deadlineMs);
  });
  const settled = promise.then(
    (value) => `resolved ${JSON.stringify(value)}`,
    (error: unknown) =>
      `rejected ${(error as Error)?.name}${(error as { option?: string })?.option ? `(${(error as { option?: string }).option})` : ""}`,
  );
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a pool recovers, on each runtime: after a task it cannot send, and from a worker that keeps dying. */
export const workerRecoveryCases = defineCases([
  {
    name: "workers: a task whose data cannot be cloned fails alone; the idle worker runs the tasks queued behind it",
    capability: "workers.pool",
    timeoutMs: 30_000,
    async run(ctx) {
      const pool = new WorkerPool(ctx.platform, fixtureUrl("worker-echo"), { size: 1 });
      ctx.defer(() => pool.terminate());
      await pool.start();
      const busy = pool.run({ op: "echo", value: "busy" });
      const bad = pool.run({ op: "echo", value: () => 1 });
      const good = pool.run({ op: "echo", value: "good" });
      const good2 = pool.run({ op: "echo", value: "good2" });
      const ends = [await outcome(busy), await outcome(bad), await outcome(good), await outcome(good2)];
      equal(ends[1], "rejected WorkerPoolConfigError(data)", "the task with a function in its data");
      deepEqual(
        [ends[0], ends[2], ends[3]].map((end) => String(end).replace(/"worker":"w-[a-z0-9]+",/, "")),
        ['resolved {"value":"busy"}', 'resolved {"value":"good"}', 'resolved {"value":"good2"}'],
        "the tasks around it",
      );
      equal(pool.stats().queued, 0, "stats().queued");
      equal(pool.stats().idle, 1, "stats().idle");
    },
  },
  {
    name: "workers: a worker that keeps dying idle is respawned at once, then after a doubling delay, then not until run()",
    capability: "workers.pool",
    timeoutMs: 60_000,
    async run(ctx) {
      const clock = new ManualClock();
      const crashes: WorkerCrash[] = [];
      const pool = new WorkerPool(ctx.platform, fixtureUrl("worker-idle-crash"), {
        size: 1,
        clock,
        onCrash: (crash) => crashes.push(crash),
      });
      ctx.defer(() => pool.terminate());
      await pool.start();
      await until("two crashes", () => crashes.length >= 2);
      deepEqual(
        crashes.map((c) => c.respawnInMs),
        [0, CRASH_BACKOFF_BASE_MS],
        "respawn delays after the first two crashes",
      );
      equal(crashes[0]!.taskId, undefined, "the first crash was idle");
      ok(
        crashes[0]!.error?.message.includes("background timer blew up") === true,
        `the crash carries the worker's error, got ${String(crashes[0]!.error?.message)}`,
      );
      equal(pool.stats().workers, 0, "no worker runs during the backoff");
      for (let n = 2; n <= MAX_CONSECUTIVE_CRASHES; n++) {
        const delay = crashes[n - 1]!.respawnInMs!;
        equal(delay, CRASH_BACKOFF_BASE_MS * 2 ** (n - 2), `the delay after crash ${n}`);
        await clock.advance(delay - 1);
        equal(pool.stats().workers, 0, `no worker before the delay after crash ${n} ends`);
        await clock.advance(1);
        equal(pool.stats().workers, 1, `one worker once the delay after crash ${n} ends`);
        await until(`crash ${n + 1}`, () => crashes.length > n);
      }
      equal(crashes.at(-1)!.respawnInMs, null, "respawning stopped after too many crashes in a row");
      await clock.advance(3_600_000);
      equal(pool.stats().workers, 0, "no worker after respawning stopped");
      equal(crashes.length, MAX_CONSECUTIVE_CRASHES + 1, "crashes");
    },
  },
]);
