/**
 * Per-call overhead of retry + circuit breaker around an already-resolved call: @aral/core's compose(retryPolicy,
 * CircuitBreaker) against cockatiel's wrap(retry(handleAll), circuitBreaker(handleAll)), and against a bare call.
 * Run: `bun scripts/bench/resilience.ts`, `deno run -A scripts/bench/resilience.ts`,
 * `node --conditions=source scripts/bench/resilience.ts`.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, wrap } from "cockatiel";
// Imported by path (same source @aral/core re-exports) so the bench depends only on the area it measures.
import { CircuitBreaker, compose, retryPolicy } from "../../packages/core/src/resilience/index.ts";
import { formatRate, medianMs, runtimeLabel } from "./measure.ts";

const CALLS = 200_000;
const ROUNDS = 5;

const call = async (): Promise<number> => 1;

const ourPolicy = compose(
  retryPolicy({ maxRetries: 3, backoffMs: 100, context: "bench" }),
  new CircuitBreaker({ name: "bench", threshold: 5, timeout: 10_000 }),
);

// cockatiel counts retries after the first call: maxAttempts 2 = at most three calls, like our maxRetries 3.
const peerPolicy = wrap(
  retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 100 }) }),
  circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
);

let sink = 0;

async function bare(): Promise<void> {
  for (let i = 0; i < CALLS; i++) sink += await call();
}

async function ours(): Promise<void> {
  for (let i = 0; i < CALLS; i++) sink += await ourPolicy.execute(call);
}

async function peer(): Promise<void> {
  for (let i = 0; i < CALLS; i++) sink += await peerPolicy.execute(call);
}

const bareMs = await medianMs(ROUNDS, bare);
const oursMs = await medianMs(ROUNDS, ours);
const peerMs = await medianMs(ROUNDS, peer);
const perCallNs = (ms: number): number => (ms * 1e6) / CALLS;
const overhead = (ms: number): number => perCallNs(ms) - perCallNs(bareMs);
console.log(`retry + breaker overhead — ${runtimeLabel()} — ${CALLS} sequential resolved calls, median of ${ROUNDS}`);
console.log(
  `  bare call              ${formatRate((CALLS / bareMs) * 1000).padStart(12)} calls/s  ${perCallNs(bareMs).toFixed(0).padStart(6)} ns/call`,
);
console.log(
  `  @aral/core policies    ${formatRate((CALLS / oursMs) * 1000).padStart(12)} calls/s  ${perCallNs(oursMs).toFixed(0).padStart(6)} ns/call  (+${overhead(oursMs).toFixed(0)} ns)`,
);
console.log(
  `  cockatiel 4.0.0        ${formatRate((CALLS / peerMs) * 1000).padStart(12)} calls/s  ${perCallNs(peerMs).toFixed(0).padStart(6)} ns/call  (+${overhead(peerMs).toFixed(0)} ns)`,
);
console.log(`  overhead ratio ours/cockatiel  ${(overhead(oursMs) / overhead(peerMs)).toFixed(2)}x  (lower is better)`);
if (sink < 0) console.log(sink);
