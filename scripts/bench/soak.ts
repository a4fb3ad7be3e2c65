/**
 * Memory soak (a benchmark, not a test): an agent that serves health checks and runs tasks without pause for
 * `--minutes N`, `--seconds N` or BENCH_SOAK_SECONDS (default 60 s, capped at 600), sampling heap and RSS once a second.
 * The engine collects as it would in production: forcing a full collection before every sample (`--collect`, with
 * --expose-gc) makes Node 24's V8 grow its committed heap (and RSS) ~5–7 MiB/min under this load, bare or not,
 * while the heap itself stays flat — growth the measurement causes.
 * The health checks come from another process (soak-prober.mjs, on the system Node), as a kubelet's would.
 * The first quarter is warm-up; over the rest a least-squares line gives the slope in MiB per minute.
 * "Flat" means neither slope rises past +FLAT_MIB_PER_MIN (0.5): no growth that the run's length can show (memory
 * given back after warm-up, a negative slope, is not growth). A short run mostly shows warm-up: a run under 5 minutes
 * prints its figures without a verdict (`npm run bench` runs 30 s per runtime; `--minutes 10` is the goal's run).
 *   node --conditions=source scripts/bench/soak.ts · deno run -A scripts/bench/soak.ts · bun --conditions=source scripts/bench/soak.ts
 * `--bare` runs the control (the same load on the bare runtime, below); run-all prints both side by side.
 */
import { runtimeLabel } from "./measure.ts";

const g = globalThis as unknown as { Deno?: any; Bun?: any; process?: any; gc?: () => void };
const env = (name: string): string | undefined => (g.Deno ? g.Deno.env.get(name) : g.process?.env[name]);
const args: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
/** `--minutes N` or `--seconds N` on the command line, else BENCH_SOAK_SECONDS, else 60 s; never more than 10 minutes. */
function duration(): number {
  const at = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const minutes = at("--minutes");
  const seconds = minutes !== undefined ? minutes * 60 : (at("--seconds") ?? Number(env("BENCH_SOAK_SECONDS") ?? 60));
  if (!Number.isFinite(seconds) || seconds < 4)
    throw new TypeError(`soak: duration must be at least 4 s, got ${seconds} s`);
  return Math.min(600, seconds);
}
const SECONDS = duration();
const FLAT_MIB_PER_MIN = 0.5;
const VERDICT_SECONDS = 300;
const MiB = 1024 * 1024;

const forceCollections = args.includes("--collect");
function collect(): void {
  if (!forceCollections) return;
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

/** `heap` is what the heap holds; `committed` what the engine reserved for it (heapTotal), which is part of RSS. */
function memory(): { heap: number; committed: number; rss: number } {
  const m = g.Deno ? g.Deno.memoryUsage() : g.process.memoryUsage();
  return { heap: m.heapUsed / MiB, committed: m.heapTotal / MiB, rss: m.rss / MiB };
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const entry = g.Deno
  ? "../../packages/aral/src/deno.ts"
  : g.Bun
    ? "../../packages/aral/src/bun.ts"
    : "../../packages/aral/src/node.ts";
/**
 * `--bare`: the same load without aral, as the control — the runtime's own server answering the health checks and
 * plain async functions in 4 lanes as the tasks — so a slope the runtime shows by itself is told from one aral adds.
 */
const bare = args.includes("--bare");

function task(): Promise<number> {
  const data = new Array(256).fill(0).map((_, i) => ({ i, text: `item ${i}` }));
  return new Promise((resolve) => setTimeout(() => resolve(data.length), 1));
}

interface Subject {
  url: string;
  submit(work: () => Promise<number>): Promise<number>;
  stop(): Promise<void>;
}

async function aralSubject(): Promise<Subject> {
  const { AralRuntime } = (await import(entry)) as typeof import("../../packages/aral/src/node.ts");
  const runtime = new AralRuntime({
    health: { enabled: true },
    logging: { level: "warn" }, // the figures, not a JSON line per transition
    lifecycle: { shutdownSignals: [] },
    tasks: { concurrency: 4, maxQueued: 10_000, overflow: "wait" },
  });
  await runtime.start();
  return {
    url: `${runtime.healthUrl!.replace(/\/$/, "")}/health`,
    submit: (work) => runtime.submit(work),
    stop: async () => void (await runtime.stop()),
  };
}

async function bareSubject(): Promise<Subject> {
  const answer = () => JSON.stringify({ status: "healthy", checks: {} });
  let close: () => Promise<void>;
  let port: number;
  if (g.Deno) {
    const server = g.Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response(answer()));
    port = server.addr.port;
    close = () => server.shutdown();
  } else if (g.Bun) {
    const server = g.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(answer()) });
    port = server.port;
    close = async () => void server.stop(true);
  } else {
    const http = await import("node:http");
    const server = http.createServer((_req, res) => res.end(answer()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  }
  // 4 lanes, as the agent's task concurrency
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    url: `http://127.0.0.1:${port}/health`,
    async submit(work) {
      if (running >= 4) await new Promise<void>((resolve) => waiting.push(resolve));
      running++;
      try {
        return await work();
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
    stop: () => close(),
  };
}

const subject = bare ? await bareSubject() : await aralSubject();
const what = `${bare ? "bare " : ""}${runtimeLabel()}`;
if (forceCollections && !g.gc && !g.Bun) console.log("(--collect without --expose-gc: no collection is forced)");
console.log(`memory soak on ${what}: ${SECONDS} s of health checks and tasks`);

/** The prober (soak-prober.mjs) in a process of its own; closing its stdin stops it, and it prints its count. */
function startProber(url: string): { stop(): Promise<number> } {
  const script = new URL("./soak-prober.mjs", import.meta.url).pathname;
  if (g.Deno) {
    const child = new g.Deno.Command("node", { args: [script, url], stdin: "piped", stdout: "piped" }).spawn();
    return {
      async stop() {
        await child.stdin.close();
        const { stdout, success } = await child.output();
        if (!success) throw new Error("soak: the prober failed");
        return Number(new TextDecoder().decode(stdout));
      },
    };
  }
  const { spawn } = g.process.getBuiltinModule("node:child_process") as typeof import("node:child_process");
  const child = spawn("node", [script, url], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    async stop() {
      child.stdin!.end();
      if ((await exited) !== 0) throw new Error("soak: the prober failed");
      return Number(out);
    },
  };
}

let stop = false;
let tasks = 0;
const prober = startProber(subject.url);
const producer = (async () => {
  while (!stop) {
    await subject.submit(task);
    tasks++;
  }
})();

const samples: Array<[number, { heap: number; committed: number; rss: number }]> = [];
const started = Date.now();
while (Date.now() - started < SECONDS * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  collect();
  samples.push([(Date.now() - started) / 60_000, memory()]);
}
stop = true;
const checks = await prober.stop();
await producer;
await subject.stop();

const steady = samples.slice(Math.floor(samples.length / 4));
const heapSlope = slope(steady.map(([t, m]) => [t, m.heap]));
const rssSlope = slope(steady.map(([t, m]) => [t, m.rss]));
const committedSlope = slope(steady.map(([t, m]) => [t, m.committed]));
const first = steady[0]![1];
const last = steady[steady.length - 1]![1];
console.log(
  `  ${checks} health checks, ${tasks} tasks; after warm-up heap ${first.heap.toFixed(1)} → ${last.heap.toFixed(1)} MiB, RSS ${first.rss.toFixed(1)} → ${last.rss.toFixed(1)} MiB`,
);
console.log(
  `  slope: heap ${heapSlope >= 0 ? "+" : ""}${heapSlope.toFixed(2)} MiB/min, RSS ${rssSlope >= 0 ? "+" : ""}${rssSlope.toFixed(2)} MiB/min (of which the engine's committed heap ${committedSlope >= 0 ? "+" : ""}${committedSlope.toFixed(2)}, ${first.committed.toFixed(1)} → ${last.committed.toFixed(1)} MiB)`,
);
// memory given back (a negative slope) is not growth: only a rise past the threshold fails the goal
const flat = heapSlope <= FLAT_MIB_PER_MIN && rssSlope <= FLAT_MIB_PER_MIN;
const figures = `heap ${heapSlope.toFixed(2)} MiB/min, RSS ${rssSlope.toFixed(2)} MiB/min over ${SECONDS} s`;
// under VERDICT_SECONDS the slope is mostly warm-up and the collector's rhythm: figures only
const verdict =
  SECONDS < VERDICT_SECONDS
    ? `(no verdict under ${VERDICT_SECONDS / 60} minutes: \`--minutes 10\` gives one)`
    : flat
      ? "MET"
      : "NOT MET";
console.log(
  bare
    ? `\nmemory soak control on ${what}: ${figures} (the runtime alone under the same load: no goal, the figure to read aral's beside)`
    : `\nmemory soak on ${what}: ${figures} (goal: no growth, ≤ +${FLAT_MIB_PER_MIN}) ${verdict}`,
);
