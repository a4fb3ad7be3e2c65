import { LifecycleError } from "@aral/core";
import { atLeast, atMost, deepEqual, equal, match, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { deferred, runtimeFor, sleepTask, transitions } from "./runtime-helpers.ts";

export const runtimeLifecycleCases = defineCases([
  {
    name: "runtime: start() then stop(true) walks created → starting → running → stopping → stopped, logging each with the instance id",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx);
      equal(runtime.getStatus(), "created", "status before start");
      await runtime.start();
      equal(runtime.getStatus(), "running", "status after start");
      ok(runtime.isHealthy(), "isHealthy() while running");
      await runtime.stop(true);
      equal(runtime.getStatus(), "stopped", "status after stop");
      equal(runtime.isHealthy(), false, "isHealthy() after stop");
      deepEqual(
        transitions(log),
        ["created→starting", "starting→running", "running→stopping", "stopping→stopped"],
        "logged transitions",
      );
      for (const record of log.records.filter((r) => r["event"] === "lifecycle.transition")) {
        equal(record["instanceId"], runtime.instanceId, "instanceId on a transition record");
      }
    },
  },
  {
    name: "runtime: every instance has its own id",
    capability: "runtime.lifecycle",
    run(ctx) {
      const ids = new Set([
        runtimeFor(ctx).runtime.instanceId,
        runtimeFor(ctx).runtime.instanceId,
        runtimeFor(ctx).runtime.instanceId,
      ]);
      equal(ids.size, 3, "distinct instance ids");
    },
  },
  {
    name: "runtime: start() twice at once starts once; start() while running resolves at once",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx);
      let starts = 0;
      runtime.onStart(() => void starts++);
      const first = runtime.start();
      const second = runtime.start();
      equal(first, second, "the second start() returns the first one's promise");
      await Promise.all([first, second]);
      await runtime.start();
      equal(starts, 1, "onStart calls");
      deepEqual(transitions(log), ["created→starting", "starting→running"], "transitions");
    },
  },
  {
    name: "runtime: stop() during start() waits for the start, then stops; both resolve",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx);
      const gate = deferred();
      runtime.onStart(() => gate.promise);
      const starting = runtime.start();
      equal(runtime.getStatus(), "starting", "status during start");
      const stopping = runtime.stop();
      gate.resolve();
      await starting;
      const report = await stopping;
      equal(runtime.getStatus(), "stopped", "final status");
      equal(report.forced, false, "report.forced");
      deepEqual(
        transitions(log),
        ["created→starting", "starting→running", "running→stopping", "stopping→stopped"],
        "transitions",
      );
    },
  },
  {
    name: "runtime: stop() twice returns the same stop; onStop runs once; stop() when stopped is a no-op",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx);
      let stops = 0;
      runtime.onStop(() => void stops++);
      await runtime.start();
      const a = runtime.stop();
      const b = runtime.stop();
      equal(a, b, "the second stop() returns the first one's promise");
      await a;
      const again = await runtime.stop();
      match(again.reason, /nothing to stop/, "reason of a stop when already stopped");
      equal(stops, 1, "onStop calls");
      equal(runtime.getStatus(), "stopped", "status");
    },
  },
  {
    name: "runtime: restart() stops and starts again and counts it; restart() while stopping waits for that stop",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx);
      await runtime.start();
      await runtime.restart();
      equal(runtime.getStatus(), "running", "status after restart");
      equal(runtime.restartCount, 1, "restartCount");
      const stopping = runtime.stop();
      const restarting = runtime.restart();
      await Promise.all([stopping, restarting]);
      equal(runtime.getStatus(), "running", "status after restart during a stop");
      equal(runtime.restartCount, 2, "restartCount");
      equal(runtime.metrics().restartCount, 2, "metrics().restartCount");
      equal(transitions(log).filter((t) => t === "starting→running").length, 3, "number of starts");
    },
  },
  {
    name: "runtime: the last call wins: stop() during restart(), or after a start() waiting for a stop, leaves the runtime stopped; the waiting start rejects StartCancelled",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx);
      await runtime.start();
      const restarting = runtime.restart();
      const stopping = runtime.stop();
      const cancelled = { instance: LifecycleError, message: /did not start again: stop\(\) was called/ };
      const error = await rejects(() => restarting, cancelled, "restart()");
      equal((error as LifecycleError).code, "StartCancelled", "restart()'s code");
      await stopping;
      equal(runtime.getStatus(), "stopped", "status after restart() then stop()");
      equal(runtime.restartCount, 0, "restartCount: the restart did not happen");

      await runtime.start();
      const firstStop = runtime.stop();
      const waitingStart = runtime.start();
      const secondStop = runtime.stop();
      await rejects(() => waitingStart, { instance: LifecycleError, message: /start\(\) did not start/ }, "start()");
      equal(await secondStop, await firstStop, "the second stop() joined the first");
      equal(runtime.getStatus(), "stopped", "status after stop(), start(), stop()");
      await runtime.start();
      equal(runtime.getStatus(), "running", "a later start() starts");
    },
  },
  {
    name: "runtime: a failing start ends in 'failed' with the cause, releases what it acquired, and can start again",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx);
      let released = false;
      const errors: Error[] = [];
      runtime.onError((e) => void errors.push(e));
      const off = runtime.onStart(() => {
        runtime.register("probe", () => void (released = true));
        throw new Error("database unreachable");
      });
      const error = await rejects(
        () => runtime.start(),
        { instance: LifecycleError, message: /database unreachable/ },
        "start()",
      );
      equal((error as LifecycleError).code, "StartupFailed", "LifecycleError.code");
      equal(((error as Error).cause as Error).message, "database unreachable", "cause");
      equal(runtime.getStatus(), "failed", "status");
      ok(released, "the resource registered during the failed start was released");
      equal(errors.length, 1, "onError calls");
      off();
      await runtime.start();
      equal(runtime.getStatus(), "running", "status after a second start");
    },
  },
  {
    name: "runtime: a start slower than lifecycle.startupTimeout fails with StartupTimeout",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { lifecycle: { startupTimeout: 150 } });
      runtime.onStart(() => new Promise((resolve) => setTimeout(resolve, 2_000)));
      const started = Date.now();
      const error = await rejects(
        () => runtime.start(),
        { instance: LifecycleError, message: /startupTimeout \(150 ms\)/ },
        "start()",
      );
      equal((error as LifecycleError).code, "StartupTimeout", "code");
      atMost(Date.now() - started, 1_500, "ms until start() rejected");
      equal(runtime.getStatus(), "failed", "status");
    },
  },
  {
    name: "runtime: a start abandoned at lifecycle.startupTimeout whose slow step finishes later installs no signal or uncaught handler and runs no onStart hook; the next start installs one set",
    capability: "runtime.lifecycle",
    async run(ctx) {
      // Handlers are recorded, not installed: the real ones belong to the suite's process.
      const live = new Set<number>();
      let next = 0;
      const subscribe = () => {
        const id = next++;
        live.add(id);
        return () => void live.delete(id);
      };
      let gate = deferred();
      const closed = deferred();
      const net = Object.create(ctx.platform.net) as typeof ctx.platform.net;
      Object.defineProperty(net, "serve", {
        value: async (...args: Parameters<typeof ctx.platform.net.serve>) => {
          await gate.promise; // a bind that takes longer than the startupTimeout
          const server = await ctx.platform.net.serve(...args);
          return {
            url: server.url,
            close: async () => {
              await server.close();
              closed.resolve();
            },
          };
        },
      });
      const signals = Object.create(ctx.platform.signals) as typeof ctx.platform.signals;
      Object.defineProperty(signals, "on", { value: subscribe });
      const process = Object.create(ctx.platform.process) as typeof ctx.platform.process;
      Object.defineProperty(process, "onUncaught", { value: subscribe });
      const platform = Object.create(ctx.platform, {
        net: { value: net },
        signals: { value: signals },
        process: { value: process },
      }) as typeof ctx.platform;
      const { runtime } = runtimeFor(
        ctx,
        { lifecycle: { startupTimeout: 150 }, health: { enabled: true } },
        { platform, handleSignals: true, handleUncaught: true, watchSupervisor: false },
      );
      let hooks = 0;
      runtime.onStart(() => void hooks++);
      const error = await rejects(() => runtime.start(), { instance: LifecycleError }, "start()");
      equal((error as LifecycleError).code, "StartupTimeout", "code");
      gate.resolve();
      // The late server is closed at once; handlers and hooks would have come synchronously before that close.
      await closed.promise;
      equal(live.size, 0, "handlers installed after the start was abandoned");
      equal(hooks, 0, "onStart hooks run after the start was abandoned");
      gate = deferred();
      gate.resolve();
      await runtime.start();
      equal(live.size, 3, "handlers of a running runtime (SIGINT, SIGTERM, uncaught)");
      equal(hooks, 1, "onStart hooks of the second start");
      await runtime.stop();
      equal(live.size, 0, "handlers after stop()");
    },
  },
  {
    name: "runtime: an onError hook that never settles cannot keep a failed start from rejecting (bounded by lifecycle.startupTimeout)",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx, { lifecycle: { startupTimeout: 150 } });
      runtime.onError(() => new Promise(() => {}));
      const off = runtime.onStart(() => {
        throw new Error("database unreachable");
      });
      const started = Date.now();
      const error = await rejects(() => runtime.start(), { instance: LifecycleError, message: /database/ }, "start()");
      equal((error as LifecycleError).code, "StartupFailed", "code");
      atMost(Date.now() - started, 1_500, "ms until start() rejected");
      ok(
        log.records.some((r) => r["msg"] === "onError hooks did not finish: start() fails without them"),
        "the abandoned hook is logged",
      );
      off();
      await runtime.start();
      equal(runtime.getStatus(), "running", "status after a second start");
    },
  },
  {
    name: "runtime: an onStop hook that never settles is left behind after a lifecycle.shutdownTimeout of its own, or at once by stop(false); the runtime starts again",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx, { lifecycle: { shutdownTimeout: 200 } });
      const off = runtime.onStop(() => new Promise(() => {}));
      await runtime.start();
      const started = Date.now();
      const report = await runtime.stop(true);
      atMost(Date.now() - started, 2_000, "ms the stop took");
      equal(runtime.getStatus(), "stopped", "status");
      equal(report.forced, true, "report.forced");
      deepEqual(report.abandoned, ["onStop hooks"], "report.abandoned");
      ok(
        log.records.some((r) => r["msg"] === "onStop hooks did not finish: the stop completes without them"),
        "the abandoned hook is logged",
      );
      off();
      await runtime.start();
      equal(runtime.getStatus(), "running", "status after start()");

      const { runtime: patient } = runtimeFor(ctx, { lifecycle: { shutdownTimeout: 10_000 } });
      const hookRunning = deferred();
      patient.onStop(() => {
        hookRunning.resolve();
        return new Promise(() => {});
      });
      await patient.start();
      const stopping = patient.stop(true);
      await hookRunning.promise;
      const cut = Date.now();
      void patient.stop(false);
      const forced = await stopping;
      atMost(Date.now() - cut, 2_000, "ms from stop(false) to the end of the stop");
      deepEqual(forced.abandoned, ["onStop hooks"], "report.abandoned after stop(false)");
    },
  },
  {
    name: "runtime: reading the manifest is bounded by lifecycle.startupTimeout from the environment; a stop() waiting for it ends too",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/agent.json`;
      // a file whose read never finishes: a FIFO nobody writes, a hung network mount
      const fs = Object.create(ctx.platform.fs) as typeof ctx.platform.fs;
      Object.defineProperty(fs, "readTextFile", { value: () => new Promise<string>(() => {}) });
      const platform = Object.create(ctx.platform, { fs: { value: fs } }) as typeof ctx.platform;
      const { runtime } = runtimeFor(ctx, path, { platform, env: { ARAL_LIFECYCLE_STARTUP_TIMEOUT: "150" } });
      const started = Date.now();
      const starting = runtime.start();
      const stopping = runtime.stop();
      const error = await rejects(
        () => starting,
        { instance: LifecycleError, message: /agent\.json did not finish within lifecycle\.startupTimeout \(150 ms\)/ },
        "start()",
      );
      equal((error as LifecycleError).code, "StartupTimeout", "code");
      match((await stopping).reason, /nothing to stop/, "the waiting stop's report");
      atMost(Date.now() - started, 1_500, "ms until both settled");
      equal(runtime.getStatus(), "failed", "status");
    },
  },
  {
    name: "runtime: work needs a running runtime (allocate/submit before start reject with NotRunning)",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx);
      const a = await rejects(
        async () => runtime.allocate({ memory: "1Mi" }),
        { instance: LifecycleError, message: /allocate\(\) needs a running runtime/ },
        "allocate()",
      );
      equal((a as LifecycleError).code, "NotRunning", "code");
      await rejects(async () => runtime.submit(async () => 1), { instance: LifecycleError }, "submit()");
    },
  },
  {
    name: "runtime: stop(true) lets running tasks finish and returns queued ones with ShutdownError; nothing is lost",
    capability: "runtime.lifecycle",
    timeoutMs: 20_000,
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { tasks: { concurrency: 2 }, lifecycle: { shutdownTimeout: 5_000 } });
      await runtime.start();
      const results = Array.from({ length: 6 }, () =>
        runtime.submit(sleepTask(150)).then(
          () => "completed",
          (e: Error) => e.name,
        ),
      );
      await new Promise((r) => setTimeout(r, 30));
      const report = await runtime.stop(true);
      const outcomes = await Promise.all(results);
      deepEqual(outcomes.filter((o) => o === "completed").length, 2, "tasks completed (the two running ones)");
      deepEqual(outcomes.filter((o) => o === "ShutdownError").length, 4, "tasks returned with ShutdownError");
      deepEqual(
        report.tasks,
        { accepted: 6, finished: 2, aborted: 0, returned: 4, drain: { finished: 2, aborted: 0, returned: 4 } },
        "report.tasks",
      );
      equal(report.forced, false, "report.forced");
    },
  },
  {
    name: "runtime: stop(false) aborts running tasks at once",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { tasks: { concurrency: 1 } });
      await runtime.start();
      const started = Date.now();
      const running = runtime.submit(sleepTask(5_000)).then(
        () => "completed",
        (e: Error) => e.name,
      );
      await new Promise((r) => setTimeout(r, 30));
      const report = await runtime.stop(false);
      equal(await running, "ShutdownError", "outcome of the running task");
      equal(report.tasks.aborted, 1, "report.tasks.aborted");
      equal(report.forced, true, "report.forced");
      atMost(Date.now() - started, 2_000, "ms until the forced stop finished");
    },
  },
  {
    name: "runtime: past lifecycle.shutdownTimeout the stop completes anyway and names what it abandoned",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { lifecycle: { shutdownTimeout: 200 } });
      await runtime.start();
      runtime.register("stuck connection", () => new Promise(() => {}));
      runtime.register("good connection", () => undefined);
      const started = Date.now();
      const report = await runtime.stop(true);
      const took = Date.now() - started;
      atLeast(took, 150, "ms the stop waited");
      atMost(took, 2_000, "ms the stop took");
      equal(report.forced, true, "report.forced");
      deepEqual(report.abandoned, ["stuck connection"], "report.abandoned");
      ok(
        report.closed.includes("good connection"),
        `closed includes the closable registered before it (closed: ${report.closed.join(", ")})`,
      );
      equal(runtime.getStatus(), "stopped", "status");
    },
  },
  {
    name: "runtime: readiness goes false as soon as a stop begins",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx);
      await runtime.start();
      ok(runtime.isReady(), "ready while running");
      let readyDuringStop: boolean | undefined;
      runtime.register("probe", () => void (readyDuringStop = runtime.healthReport()?.ready));
      await runtime.stop(true);
      equal(readyDuringStop, false, "readiness seen while stopping");
    },
  },
]);
