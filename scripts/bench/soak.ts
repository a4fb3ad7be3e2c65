/**
 * Memory soak (a benchmark, not a test): an agent that serves health checks and runs tasks without pause for
 * `--minutes N`, `--seconds N` or BENCH_SOAK_SECONDS (default 60 s, capped at 600), sampling heap and RSS once a second after a collection.
 * The first quarter is warm-up; over the rest a least-squares line gives the slope in MiB per minute.
 * "Flat" means neither slope rises past +FLAT_MIB_PER_MIN (0.5): no growth that the run's length can show (memory
 * given back after warm-up, a negative slope, is not growth). A short run mostly shows warm-up: use a few minutes.
 *   node --expose-gc --conditions=source scripts/bench/soak.ts
 *   deno run -A --v8-flags=--expose-gc scripts/bench/soak.ts · bun --conditions=source scripts/bench/soak.ts
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
const MiB = 1024 * 1024;

function collect(): void {
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

function memory(): { heap: number; rss: number } {
  if (g.Deno) {
    const m = g.Deno.memoryUsage();
    return { heap: m.heapUsed / MiB, rss: m.rss / MiB };
  }
  const m = g.process.memoryUsage();
  return { heap: m.heapUsed / MiB, rss: m.rss / MiB };
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
const { AralRuntime } = (await import(entry)) as typeof import("../../packages/aral/src/node.ts");
const runtime = new AralRuntime({
  health: { enabled: true },
  logging: { level: "warn" }, // the figures, not a JSON line per transition
  lifecycle: { shutdownSignals: [] },
  tasks: { concurrency: 4, maxQueued: 10_000, overflow: "wait" },
});
await runtime.start();
const url = `${runtime.healthUrl!.replace(/\/$/, "")}/health`;
if (!g.gc && !g.Bun) console.log("(no gc exposed: run with --expose-gc for steadier heap figures)");
console.log(`memory soak on ${runtimeLabel()}: ${SECONDS} s of health checks and tasks`);

let stop = false;
let checks = 0;
let tasks = 0;
const checker = (async () => {
  while (!stop) {
    const response = await fetch(url);
    await response.arrayBuffer();
    checks++;
  }
})();
const producer = (async () => {
  while (!stop) {
    await runtime.submit(async () => {
      const data = new Array(256).fill(0).map((_, i) => ({ i, text: `item ${i}` }));
      await new Promise((resolve) => setTimeout(resolve, 1));
      tasks++;
      return data.length;
    });
  }
})();

const samples: Array<[number, { heap: number; rss: number }]> = [];
const started = Date.now();
while (Date.now() - started < SECONDS * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  collect();
  samples.push([(Date.now() - started) / 60_000, memory()]);
}
stop = true;
await Promise.all([checker, producer]);
await runtime.stop();

const steady = samples.slice(Math.floor(samples.length / 4));
const heapSlope = slope(steady.map(([t, m]) => [t, m.heap]));
const rssSlope = slope(steady.map(([t, m]) => [t, m.rss]));
const first = steady[0]![1];
const last = steady[steady.length - 1]![1];
console.log(
  `  ${checks} health checks, ${tasks} tasks; after warm-up heap ${first.heap.toFixed(1)} → ${last.heap.toFixed(1)} MiB, RSS ${first.rss.toFixed(1)} → ${last.rss.toFixed(1)} MiB`,
);
console.log(
  `  slope: heap ${heapSlope >= 0 ? "+" : ""}${heapSlope.toFixed(2)} MiB/min, RSS ${rssSlope >= 0 ? "+" : ""}${rssSlope.toFixed(2)} MiB/min`,
);
// memory given back (a negative slope) is not growth: only a rise past the threshold fails the goal
const flat = heapSlope <= FLAT_MIB_PER_MIN && rssSlope <= FLAT_MIB_PER_MIN;
console.log(
  `\nmemory soak on ${runtimeLabel()}: heap ${heapSlope.toFixed(2)} MiB/min, RSS ${rssSlope.toFixed(2)} MiB/min over ${SECONDS} s (goal: no growth, ≤ +${FLAT_MIB_PER_MIN}) ${flat ? "MET" : "NOT MET"}`,
);
