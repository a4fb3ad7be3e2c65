import { AralRuntime, ConfigError, LifecycleError } from "@aral/core";
import type { RuntimeDeps } from "@aral/core";
import { createLogger } from "@aral/core/logging";
import { MetricsRegistry } from "@aral/core/metrics";
import { WorkerPool } from "@aral/core/workers";
import type { Platform } from "@aral/platform";
import { equal, match, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { runtimeFor } from "./runtime-helpers.ts";

/** Junk for every public argument (issue #9, item 7): each must fail with the SDK's typed error naming it. */
const JUNK: readonly (readonly [string, unknown])[] = [
  ["undefined", undefined],
  ["null", null],
  ["42", 42],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-1", -1],
  ["10n", 10n],
  ["a symbol", Symbol("junk")],
  ["{ wrong: 1 }", { wrong: 1 }],
  ["[1]", [1]],
  ["a 1 MB string", "x".repeat(1_000_000)],
  ["a function", () => 1],
];

/** Errors that say nothing about which argument was wrong: what a call crashing deep inside throws. */
const BARE = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError"]);

interface Row<Target = AralRuntime> {
  /** The call, with the junk where one argument goes. */
  call: string;
  invoke: (target: Target, junk: unknown) => unknown;
  /** What the error message must name (the argument or field). */
  names: RegExp;
  /** Junk that is a valid value for this argument, left out. */
  valid?: readonly string[];
}

const noop = async () => 1;
const ROWS: readonly Row[] = [
  {
    call: "register('n', junk)",
    invoke: (r, j) => r.register("n", j as never),
    names: /closable/,
    valid: ["a function"],
  },
  {
    call: "addHealthCheck(junk, check)",
    invoke: (r, j) => r.addHealthCheck(j as never, () => true),
    names: /name/,
    valid: ["a 1 MB string"],
  },
  {
    call: "addHealthCheck('c', junk)",
    invoke: (r, j) => r.addHealthCheck("c", j as never),
    names: /must be a function/,
    valid: ["a function"],
  },
  {
    call: "addHealthCheck('c', check, { timeoutMs: junk })",
    invoke: (r, j) => r.addHealthCheck("c", () => true, { timeoutMs: j as never }),
    names: /timeoutMs/,
    valid: ["undefined", "42"],
  },
  {
    call: "allocate(junk)",
    invoke: (r, j) => r.allocate(j as never),
    names: /request|resource/i,
    valid: ["undefined"],
  },
  {
    call: "allocate({ memory: junk })",
    invoke: (r, j) => r.allocate({ memory: j as never }),
    names: /memory/,
    valid: ["undefined", "42"],
  },
  {
    call: "allocate({ cpu: junk })",
    invoke: (r, j) => r.allocate({ cpu: j as never }),
    names: /cpu/,
    valid: ["undefined", "42"],
  },
  { call: "submit(junk)", invoke: (r, j) => r.submit(j as never), names: /task/i, valid: ["a function"] },
  {
    call: "submit(task, junk)",
    invoke: (r, j) => r.submit(noop, j as never),
    names: /options/i,
    valid: ["undefined", "a function"],
  },
  {
    call: "submit(task, { priority: junk })",
    invoke: (r, j) => r.submit(noop, { priority: j as never }),
    names: /priority/,
    valid: ["undefined", "42", "-1"],
  },
  {
    call: "submit(task, { timeoutMs: junk })",
    invoke: (r, j) => r.submit(noop, { timeoutMs: j as never }),
    names: /timeout/i,
    valid: ["undefined", "42"],
  },
  {
    call: "submit(task, { signal: junk })",
    invoke: (r, j) => r.submit(noop, { signal: j as never }),
    names: /signal/,
    valid: ["undefined"],
  },
  {
    call: "executeWithRetry(junk, 'c')",
    invoke: (r, j) => r.executeWithRetry(j as never, "c"),
    names: /fn/,
    valid: ["a function"],
  },
  {
    call: "executeWithRetry(fn, junk)",
    invoke: (r, j) => r.executeWithRetry(noop, j as never),
    names: /context/,
    valid: ["a 1 MB string"],
  },
  {
    call: "circuitBreaker(junk)",
    invoke: (r, j) => r.circuitBreaker(j as never),
    names: /dependency|name/i,
    valid: ["a 1 MB string"],
  },
  {
    call: "callDependency(junk, fn)",
    invoke: (r, j) => r.callDependency(j as never, noop),
    names: /dependency/,
    valid: ["a 1 MB string"],
  },
  {
    call: "callDependency('d', junk)",
    invoke: (r, j) => r.callDependency("d", j as never),
    names: /fn/,
    valid: ["a function"],
  },
  { call: "onStop(junk)", invoke: (r, j) => r.onStop(j as never), names: /callback/, valid: ["a function"] },
  { call: "fetch(junk)", invoke: (r, j) => r.fetch(j as never), names: /input|scheme|URL/i },
  {
    call: "fetch(url, { signal: junk })",
    invoke: (r, j) => r.fetch("http://127.0.0.1:9/", { signal: j as never }),
    names: /signal/,
    valid: ["undefined", "null"],
  },
  {
    call: "storage.persistent.writeFile('f', junk)",
    invoke: (r, j) => r.storage!.persistent.writeFile("f", j as never),
    names: /data/,
    valid: ["a 1 MB string"],
  },
  {
    call: "storage.persistent.readFile(junk)",
    invoke: (r, j) => r.storage!.persistent.readFile(j as never),
    names: /path/i,
  },
  { call: "logger.level = junk", invoke: (r, j) => void (r.logger.level = j as never), names: /level/i },
  // last: a value it took would stop the runtime the rows above need
  { call: "stop(junk)", invoke: (r, j) => r.stop(j as never), names: /graceful/, valid: ["undefined"] },
];

let unique = 0;
const metricName = () => `m_${++unique}_total`;
/** The metrics registry users build their own families with (`@aral/core/metrics`). */
const METRIC_ROWS: readonly Row<MetricsRegistry>[] = [
  {
    call: "counter(junk, 'help')",
    invoke: (m, j) => m.counter(j as never, "help"),
    names: /metric name/,
    valid: ["a 1 MB string"],
  },
  {
    call: "counter(name, junk)",
    invoke: (m, j) => m.counter(metricName(), j as never),
    names: /help/,
    valid: ["a 1 MB string"],
  },
  {
    call: "counter(name, 'help', junk)",
    invoke: (m, j) => m.counter(metricName(), "help", j as never),
    names: /label/,
    valid: ["undefined"],
  },
  {
    call: "counter(…).inc(junk)",
    invoke: (m, j) => m.counter(metricName(), "help").inc(j as never),
    names: /increment|label/,
    valid: ["undefined", "null", "42", "{ wrong: 1 }"],
  },
  {
    call: "gauge(…).set(junk)",
    invoke: (m, j) => m.gauge(metricName().replace("_total", ""), "help").set(j as never),
    names: /value/,
    valid: ["42", "-1", "Infinity"],
  },
  {
    call: "histogram(name, 'help', junk)",
    invoke: (m, j) => m.histogram(metricName().replace("_total", "_seconds"), "help", j as never),
    names: /buckets/,
    valid: ["[1]"],
  },
];

/** The worker pool (`@aral/core/workers`); no row starts a worker. */
const WORKER_ROWS: readonly Row<Platform>[] = [
  {
    call: "new WorkerPool(platform, junk)",
    invoke: (p, j) => new WorkerPool(p, j as never),
    names: /module/,
    valid: ["a 1 MB string"], // a string: resolving it fails at start (WorkerStartError), not here
  },
  {
    call: "new WorkerPool(platform, module, junk)",
    invoke: (p, j) => new WorkerPool(p, "./worker.ts", j as never),
    names: /options/,
    valid: ["undefined", "{ wrong: 1 }"],
  },
  {
    call: "new WorkerPool(platform, module, { size: junk })",
    invoke: (p, j) => new WorkerPool(p, "./worker.ts", { size: j as never }),
    names: /size/,
    valid: ["undefined", "42"],
  },
  {
    call: "pool.run(data, junk)",
    invoke: (p, j) => new WorkerPool(p, "./worker.ts").run(1, j as never),
    names: /options/,
    valid: ["undefined", "{ wrong: 1 }"],
  },
];

/** Each row × each junk value: the problems found (a value that passes, a bare error, a hang, a message naming nothing). */
async function probe<Target>(target: Target, rows: readonly Row<Target>[]): Promise<string[]> {
  const problems: string[] = [];
  for (const row of rows) {
    for (const [label, junk] of JUNK) {
      if (row.valid?.includes(label)) continue;
      const error = await outcome(() => row.invoke(target, junk));
      const what = `${row.call.replace("junk", label)}`;
      if (!(error instanceof Error)) problems.push(`${what}: ${String(error)}`);
      else if (BARE.has(error.name)) problems.push(`${what}: bare ${error.name}: ${error.message.slice(0, 120)}`);
      else if (!row.names.test(error.message))
        problems.push(`${what}: ${error.name} does not name ${row.names}: ${error.message.slice(0, 120)}`);
      else if (error.message.length > 2_000) problems.push(`${what}: ${error.message.length}-character message`);
    }
  }
  return problems;
}

async function outcome(run: () => unknown): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const result = run();
    if (!(result instanceof Promise)) return "no error";
    const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("a hang (5 s)"), 5_000)));
    return await Promise.race([result.then(() => "no error"), hung]);
  } catch (error) {
    return error;
  } finally {
    clearTimeout(timer);
  }
}

export const runtimeArgumentCases = defineCases([
  {
    name: "arguments: every public call given junk (null, NaN, BigInt, symbols, wrong shapes, 1 MB strings) throws a typed error naming the argument — no bare TypeError, no hang",
    capability: "runtime.resources",
    async run(ctx) {
      const base = await ctx.tempDir();
      const { runtime } = runtimeFor(ctx, {
        resources: { memory: { limit: "512Mi" }, storage: { persistent: `${base}/data`, maxSize: "1Mi" } },
        errorHandling: { maxRetries: 1 },
        logging: { level: "error" },
      });
      await runtime.start();
      const problems = await probe(runtime, ROWS);
      if (problems.length > 0) throw new Error(`${problems.length} calls:\n${problems.join("\n")}`);
      // a refused call leaves no trace in the counters (a bad fetch signal once left a request "in flight" for good)
      const inFlight = /^aral_fetch_in_flight\{[^}]*\} (\S+)$/m.exec(runtime.prometheusMetrics())?.[1];
      if (inFlight !== "0") throw new Error(`aral_fetch_in_flight after the refused calls: ${inFlight}`);
    },
  },
  {
    name: "arguments: new AralRuntime(config, deps) refuses deps that are no object, a misspelt key (with the right one), a switch that is no boolean, an env value that is no string, a logSink beside a logger; a bad ARAL_LOG_LEVEL fails start() naming the variable",
    capability: "runtime.lifecycle",
    async run(ctx) {
      const { platform } = ctx;
      const refused = (deps: unknown, names: RegExp, what: string) => {
        let error: unknown;
        try {
          new AralRuntime({}, deps as RuntimeDeps);
        } catch (caught) {
          error = caught;
        }
        ok(
          error instanceof TypeError && (error as Error).name === "InvalidArgumentError",
          `${what}: got ${String(error)}`,
        );
        match((error as Error).message, names, `${what}: the message`);
      };
      for (const junk of [null, 42, "deps", [platform]])
        refused(junk, /second argument\) must be an object/, String(junk));
      refused(
        { platform, handlesignals: false },
        /key "handlesignals" .*did you mean "handleSignals"/,
        "a misspelt key",
      );
      refused({ platform, handleSignals: "no" }, /deps\.handleSignals must be a boolean, got "no"/, "a string switch");
      refused({ platform, exitAfterSignal: 0 }, /deps\.exitAfterSignal must be a boolean/, "a number switch");
      refused(
        { platform, env: { ARAL_TASKS_CONCURRENCY: 4 } },
        /deps\.env\.ARAL_TASKS_CONCURRENCY must be a string, got 4/,
        "a number in env",
      );
      refused({ platform, logger: {} }, /deps\.logger must be a Logger/, "a logger without methods");
      refused(
        { platform, logger: createLogger({ sink: () => {} }), logSink: () => {} },
        /deps\.logSink must be left out when deps\.logger is given/,
        "a logSink beside a logger",
      );
      refused({ platform, audit: {} }, /deps\.audit must be an AuditLog/, "an audit without append");
      const { runtime } = runtimeFor(ctx, {}, { env: { ARAL_LOG_LEVEL: "verbose" } });
      const error = await rejects(
        () => runtime.start(),
        { instance: LifecycleError },
        "start() with ARAL_LOG_LEVEL=verbose",
      );
      const cause = (error as LifecycleError).cause;
      ok(cause instanceof ConfigError, "the cause is a ConfigError");
      equal(cause.issues[0]?.variable, "ARAL_LOG_LEVEL", "the variable named");
    },
  },
  {
    name: "arguments: the metrics registry (counter, gauge, histogram and their updates) given junk throws a MetricsError naming the argument",
    capability: "runtime.health",
    async run() {
      const problems = await probe(new MetricsRegistry(), METRIC_ROWS);
      if (problems.length > 0) throw new Error(`${problems.length} calls:\n${problems.join("\n")}`);
    },
  },
  {
    name: "arguments: the worker pool (constructor, options, run) given junk throws a WorkerPoolConfigError naming the argument",
    capability: "workers.pool",
    async run(ctx) {
      const problems = await probe(ctx.platform, WORKER_ROWS);
      if (problems.length > 0) throw new Error(`${problems.length} calls:\n${problems.join("\n")}`);
    },
  },
]);
