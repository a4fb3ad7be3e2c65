/**
 * Soak: 200,000 tasks through one TaskQueue, written like examples/agent.ts (no own timeout or signal; each
 * adds an abort listener to the signal it is handed and never removes it). Prints the throughput of each
 * tenth of the run, the last tenth's against the first, and the heap growth after GC.
 * Target (issue 9): last/first ≥ 0.9, heap growth ≤ 2 MiB.
 * Run: `node --expose-gc --conditions=source scripts/bench/queue-soak.ts` (Node ≥ 22.18),
 *      `deno run -A --v8-flags=--expose-gc scripts/bench/queue-soak.ts`, `bun scripts/bench/queue-soak.ts`.
 */
import process from "node:process";
import { TaskQueue } from "../../packages/core/src/tasks/index.ts";
import { formatRate, runtimeLabel } from "./measure.ts";

const TASKS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200_000);
const WINDOWS = 10;
const CONCURRENCY = 8;

const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
const collect = (): void => {
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else throw new Error("no gc(): run node with --expose-gc, deno with --v8-flags=--expose-gc");
};
const heapAfterGc = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().heapUsed;
};

const task = async (signal: AbortSignal): Promise<void> => {
  signal.addEventListener("abort", () => {}, { once: true });
  await Promise.resolve();
};

const queue = new TaskQueue({ concurrency: CONCURRENCY });
// Warm-up on a queue of its own, so the JIT is warm and the soaked queue starts fresh.
const warm = new TaskQueue({ concurrency: CONCURRENCY });
await Promise.all(Array.from({ length: 20_000 }, () => warm.add(task)));
const heapBefore = await heapAfterGc();
const perWindow = TASKS / WINDOWS;
const rates: number[] = [];
for (let w = 0; w < WINDOWS; w++) {
  const started = performance.now();
  const all: Promise<void>[] = new Array(perWindow);
  for (let i = 0; i < perWindow; i++) all[i] = queue.add(task);
  await Promise.all(all);
  rates.push((perWindow / (performance.now() - started)) * 1000);
}
const heapAfter = await heapAfterGc();
const growthMiB = (heapAfter - heapBefore) / 2 ** 20;
const ratio = rates[WINDOWS - 1]! / rates[0]!;
console.log(
  `queue soak — ${runtimeLabel()} — ${TASKS} tasks (each leaves an abort listener), concurrency ${CONCURRENCY}`,
);
console.log(`  tasks/s per tenth    ${rates.map((r) => formatRate(r)).join("  ")}`);
console.log(`  last/first tenth     ${ratio.toFixed(2)}x   (target ≥ 0.90: ${ratio >= 0.9 ? "met" : "NOT met"})`);
console.log(`  heap growth after GC ${growthMiB.toFixed(2)} MiB (target ≤ 2: ${growthMiB <= 2 ? "met" : "NOT met"})`);
