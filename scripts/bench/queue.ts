/**
 * Throughput of @aral/core's TaskQueue against p-queue: the same no-op tasks, concurrency and priority levels.
 * Run: `bun scripts/bench/queue.ts`, `deno run -A scripts/bench/queue.ts`, `node --conditions=source scripts/bench/queue.ts`.
 */
import PQueue from "p-queue";
// Imported by path (same source @aral/core re-exports) so the bench depends only on the areas it measures.
import { TaskQueue } from "../../packages/core/src/tasks/index.ts";
import { formatRate, medianMs, runtimeLabel } from "./measure.ts";

const TASKS = 100_000;
const CONCURRENCY = 8;
const PRIORITIES = [0, 1, 2, 3];
const ROUNDS = 5;

const noop = async (): Promise<void> => {};

async function ours(): Promise<void> {
  const queue = new TaskQueue({ concurrency: CONCURRENCY });
  const all: Promise<void>[] = new Array(TASKS);
  for (let i = 0; i < TASKS; i++) all[i] = queue.add(noop, { priority: PRIORITIES[i % PRIORITIES.length]! });
  await queue.onIdle();
  await Promise.all(all);
}

async function pQueue(): Promise<void> {
  const queue = new PQueue({ concurrency: CONCURRENCY });
  const all: Promise<void>[] = new Array(TASKS);
  for (let i = 0; i < TASKS; i++) all[i] = queue.add(noop, { priority: PRIORITIES[i % PRIORITIES.length]! });
  await queue.onIdle();
  await Promise.all(all);
}

const oursMs = await medianMs(ROUNDS, ours);
const peerMs = await medianMs(ROUNDS, pQueue);
const oursRate = (TASKS / oursMs) * 1000;
const peerRate = (TASKS / peerMs) * 1000;
console.log(
  `queue throughput — ${runtimeLabel()} — ${TASKS} no-op tasks, concurrency ${CONCURRENCY}, ${PRIORITIES.length} priority levels, median of ${ROUNDS}`,
);
console.log(`  @aral/core TaskQueue  ${formatRate(oursRate).padStart(12)} tasks/s  (${oursMs.toFixed(1)} ms)`);
console.log(`  p-queue 10.0.0        ${formatRate(peerRate).padStart(12)} tasks/s  (${peerMs.toFixed(1)} ms)`);
console.log(`  ratio ours/p-queue    ${(oursRate / peerRate).toFixed(2)}x`);
