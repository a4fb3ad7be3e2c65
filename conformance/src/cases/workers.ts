import { WORKER_PROTOCOL_TAG, WorkerPool, workerPoolSize } from "@aral/core/workers";
import { WorkerCrashedError, WorkerPoolTerminatedError, WorkerTaskError, WorkerTaskTimeoutError } from "@aral/core";
import { readAllText } from "@aral/platform";
import type { Platform, WorkerHandle } from "@aral/platform";
import { assertPlatformError, atLeast, deepEqual, equal, fail, match, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { fixtureUrl } from "../harness/fixture-command.ts";

/** conformance/src/fixtures/worker-echo.ts (or the built .js): echo, square, throw, crash, busy, whoami. */
const workerEcho = (): URL => fixtureUrl("worker-echo");

function pool(ctx: ConformanceContext, size: number): WorkerPool {
  const created = new WorkerPool(ctx.platform, workerEcho(), { size, name: "conformance-worker" });
  ctx.defer(() => created.terminate());
  return created;
}

/**
 * Resolves with the first value `take` accepts, or rejects after `ms`. A case may await several of these in
 * turn; one it never reaches (an earlier one failed the case) must not become an unhandled rejection.
 */
function waitFor<T>(what: string, ms: number, subscribe: (take: (value: T) => void) => () => void): Promise<T> {
  const waiting = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
  waiting.catch(() => {});
  return waiting;
}

function spawnRaw(platform: Platform, module: string | URL, ctx: ConformanceContext): WorkerHandle {
  const handle = platform.workers.spawn(module, { name: "conformance-raw" });
  ctx.defer(() => handle.terminate());
  return handle;
}

export const workerCases = defineCases([
  {
    name: "workers: spawn() of a missing module reports PlatformError NotFound through onError, then onExit once",
    capability: "workers",
    async run(ctx) {
      const missing = `${await ctx.tempDir()}/no-such-worker.js`;
      const events: string[] = [];
      const handle = spawnRaw(ctx.platform, missing, ctx);
      const error = waitFor<Error>("onError", 10_000, (take) =>
        handle.onError((e) => {
          events.push("error");
          take(e);
        }),
      );
      const exit = waitFor<number | null>("onExit", 10_000, (take) =>
        handle.onExit((code) => {
          events.push("exit");
          take(code);
        }),
      );
      const reported = await error;
      assertPlatformError(reported, "the error reported for a missing worker module");
      equal(reported.code, "NotFound", "PlatformError code");
      await exit;
      await new Promise((resolve) => setTimeout(resolve, 50));
      deepEqual(events, ["error", "exit"], "events in order, onExit exactly once");
    },
  },
  {
    name: "workers: a worker handle exchanges structured-clone messages; terminate() fires onExit(null) once and resolves",
    capability: "workers",
    async run(ctx) {
      const handle = spawnRaw(ctx.platform, workerEcho(), ctx);
      const exits: (number | null)[] = [];
      handle.onExit((code) => exits.push(code));
      const messages: unknown[] = [];
      handle.onMessage((message) => messages.push(message));
      const ready = waitFor<unknown>("the worker's ready message", 10_000, (take) =>
        handle.onMessage((m) => {
          if ((m as { kind?: unknown }).kind === "ready") take(m);
        }),
      );
      await ready;
      const value = {
        nested: { list: [1, "two", null] },
        when: new Date(1_700_000_000_000),
        bytes: new Uint8Array([0, 255, 7]),
        map: new Map([["k", 1]]),
      };
      const answer = waitFor<unknown>("the task's result message", 10_000, (take) =>
        handle.onMessage((m) => {
          if ((m as { kind?: unknown }).kind === "result") take(m);
        }),
      );
      handle.postMessage({ aral: WORKER_PROTOCOL_TAG, kind: "task", id: 1, data: { op: "echo", value } });
      const result = (await answer) as { id: number; ok: boolean; value: { value: typeof value } };
      equal(result.id, 1, "result id");
      equal(result.ok, true, "result ok");
      const back = result.value.value;
      deepEqual(back.nested, value.nested, "nested object");
      ok(
        back.when instanceof Date && back.when.getTime() === value.when.getTime(),
        `a Date survives the round trip (got ${String(back.when)})`,
      );
      ok(back.bytes instanceof Uint8Array && back.bytes.join() === "0,255,7", "a Uint8Array survives the round trip");
      ok(back.map instanceof Map && back.map.get("k") === 1, "a Map survives the round trip");
      await handle.terminate();
      await handle.terminate();
      deepEqual(exits, [null], "onExit after terminate()");
      handle.postMessage({ after: "terminate" });
      atLeast(messages.length, 2, "messages seen before terminate()");
    },
  },
  {
    name: "workers: a pool task round-trips structured data (objects, arrays, Date, Map, Uint8Array)",
    capability: "workers.pool",
    async run(ctx) {
      const workers = pool(ctx, 1);
      const value = {
        text: "héllo",
        n: 42.5,
        list: [1, [2, 3], { deep: true }],
        when: new Date(0),
        map: new Map([[1, "one"]]),
        bytes: new Uint8Array([1, 2, 3]),
      };
      const answer = (await workers.run({ op: "echo", value })) as { worker: string; value: typeof value };
      match(answer.worker, /^w-/, "the worker's id");
      deepEqual(
        { text: answer.value.text, n: answer.value.n, list: answer.value.list },
        { text: value.text, n: value.n, list: value.list },
        "plain data",
      );
      ok(answer.value.when instanceof Date && answer.value.when.getTime() === 0, "Date");
      ok(answer.value.map instanceof Map && answer.value.map.get(1) === "one", "Map");
      ok(answer.value.bytes instanceof Uint8Array && answer.value.bytes.join() === "1,2,3", "Uint8Array");
      equal(await workers.run({ op: "square", n: 12 }), 144, "square(12)");
    },
  },
  {
    name: "workers: a pool of 2 runs 4 busy tasks of ~150 ms on both workers",
    capability: "workers.pool",
    timeoutMs: 30_000,
    async run(ctx) {
      const workers = pool(ctx, 2);
      await workers.start();
      equal(workers.stats().idle, 2, "idle workers after start()");
      const results = (await Promise.all([1, 2, 3, 4].map(() => workers.run({ op: "busy", ms: 150 })))) as {
        worker: string;
        ms: number;
        spin: boolean;
      }[];
      equal(results.length, 4, "results");
      for (const r of results) ok(r.ms === 150 && r.spin === true, `a busy task's result, got ${JSON.stringify(r)}`);
      const used = new Set(results.map((r) => r.worker));
      equal(used.size, 2, `distinct workers used (${[...used].join(", ")})`);
      const stats = workers.stats();
      equal(stats.completed, 4, "stats().completed");
      equal(stats.workers, 2, "stats().workers");
      equal(stats.queued, 0, "stats().queued");
    },
  },
  {
    name: "workers: a task that throws rejects with WorkerTaskError carrying the worker's message; the worker keeps serving",
    capability: "workers.pool",
    async run(ctx) {
      const workers = pool(ctx, 1);
      const before = await workers.run({ op: "whoami" });
      const error = (await rejects(
        () => workers.run({ op: "throw", message: "bad input 17" }),
        { instance: WorkerTaskError, message: "bad input 17" },
        "run(throw)",
      )) as WorkerTaskError;
      equal(error.remoteName, "RangeError", "the worker's error name");
      match(error.stack ?? "", /bad input 17/, "the worker's stack");
      equal(await workers.run({ op: "whoami" }), before, "the same worker answers afterwards");
      equal(workers.stats().crashed, 0, "stats().crashed");
    },
  },
  {
    name: "workers: a worker that crashes fails its task with WorkerCrashedError, is replaced, and the pool keeps its size",
    capability: "workers.pool",
    timeoutMs: 30_000,
    async run(ctx) {
      const workers = pool(ctx, 2);
      await workers.start();
      const crashed = (await rejects(
        () => workers.run({ op: "crash", message: "worker blew up" }),
        { instance: WorkerCrashedError },
        "run(crash)",
      )) as WorkerCrashedError;
      match(crashed.message, /worker blew up/, "WorkerCrashedError names the worker's error");
      await workers.start();
      const stats = workers.stats();
      equal(stats.size, 2, "stats().size");
      equal(stats.workers, 2, "stats().workers after the replacement started");
      equal(stats.crashed, 1, "stats().crashed");
      equal(stats.replaced, 1, "stats().replaced");
      const squares = await Promise.all([2, 3, 4].map((n) => workers.run({ op: "square", n })));
      deepEqual(squares, [4, 9, 16], "tasks after the crash");
    },
  },
  {
    name: "workers: a task past its timeoutMs rejects with WorkerTaskTimeoutError and its worker is replaced",
    capability: "workers.pool",
    timeoutMs: 30_000,
    async run(ctx) {
      const workers = pool(ctx, 1);
      const first = await workers.run({ op: "whoami" });
      await rejects(
        () => workers.run({ op: "busy", ms: 5_000 }, { timeoutMs: 200 }),
        { instance: WorkerTaskTimeoutError },
        "run(busy 5 s, timeout 200 ms)",
      );
      const second = await workers.run({ op: "whoami" });
      ok(second !== first, `a new worker answers after the timeout (was ${String(first)}, now ${String(second)})`);
    },
  },
  {
    name: "workers: terminate() rejects running and queued tasks and later run() calls with WorkerPoolTerminatedError",
    capability: "workers.pool",
    timeoutMs: 30_000,
    async run(ctx) {
      const workers = pool(ctx, 1);
      await workers.start();
      const outcomes = [1, 2, 3].map((i) =>
        workers.run({ op: "busy", ms: 3_000 }).then(
          () => fail(`task ${i} resolved after terminate()`),
          (error: unknown) => error,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      equal(workers.stats().busy, 1, "stats().busy before terminate()");
      equal(workers.stats().queued, 2, "stats().queued before terminate()");
      const started = Date.now();
      await workers.terminate();
      const errors = (await Promise.all(outcomes)) as WorkerPoolTerminatedError[];
      for (const error of errors)
        ok(error instanceof WorkerPoolTerminatedError, `expected WorkerPoolTerminatedError, got ${String(error)}`);
      deepEqual(
        errors.map((e) => e.phase),
        ["running", "queued", "queued"],
        "phases",
      );
      ok(Date.now() - started < 2_500, "terminate() does not wait for the running 3 s task");
      await rejects(
        () => workers.run({ op: "whoami" }),
        { instance: WorkerPoolTerminatedError },
        "run() after terminate()",
      );
      const stats = workers.stats();
      equal(stats.workers, 0, "stats().workers after terminate()");
      equal(stats.terminated, true, "stats().terminated");
    },
  },
  {
    name: "workers: after terminate() nothing keeps the process alive, even a worker stuck in synchronous code",
    capability: "workers.pool",
    timeoutMs: 30_000,
    async run(ctx) {
      const child = ctx.spawnFixture("worker-pool-exit", [], { stdout: "pipe", stderr: "pipe" });
      const output = readAllText(child.stdout!);
      const errors = readAllText(child.stderr!);
      const exited = await Promise.race([
        child.status,
        new Promise<"alive">((resolve) => setTimeout(() => resolve("alive"), 12_000)),
      ]);
      if (exited === "alive")
        fail(
          `the process was still alive 12 s after it terminated its pool (stdout: ${JSON.stringify(await Promise.race([output, "…"]))})`,
        );
      equal(exited.code, 0, `exit code (stderr: ${(await errors).slice(0, 400)})`);
      match(await output, /terminated WorkerPoolTerminatedError/, "the fixture's output");
    },
  },
  {
    name: "workers: the pool is sized from the CPU limit (2000m → 2 capped by the cores, 500m → 1, none → the cores)",
    capability: "workers.pool",
    async run(ctx) {
      const cpus = ctx.platform.runtime.cpus;
      equal(workerPoolSize("2000m", 8), 2, 'workerPoolSize("2000m", 8)');
      equal(workerPoolSize("2000m", 1), 1, 'workerPoolSize("2000m", 1)');
      equal(workerPoolSize("500m", 8), 1, 'workerPoolSize("500m", 8)');
      equal(workerPoolSize(1.5, 8), 1, "workerPoolSize(1.5, 8)");
      equal(workerPoolSize(undefined, 6), 6, "workerPoolSize(undefined, 6)");
      const fromLimit = new WorkerPool(ctx.platform, workerEcho(), { cpuLimit: "2000m" });
      const fromHalf = new WorkerPool(ctx.platform, workerEcho(), { cpuLimit: "500m" });
      ctx.defer(() => Promise.all([fromLimit.terminate(), fromHalf.terminate()]));
      equal(fromLimit.size, Math.min(2, Math.max(1, cpus)), `size from "2000m" on ${cpus} cores`);
      equal(fromHalf.size, 1, 'size from "500m"');
      equal(fromLimit.stats().workers, 0, "workers start on demand (none before the first task)");
    },
  },
]);
