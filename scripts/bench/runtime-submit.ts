/**
 * Task throughput through AralRuntime.submit — the path tracing and the metrics hooks sit on — with no
 * OpenTelemetry configured, against a baseline copy of @aral/core (another commit), in the same process,
 * rounds interleaved so machine load hits both alike.
 *   git archive <commit> packages/core | tar -x -C /tmp/aral-base
 *   ln -s "$PWD/packages/core/node_modules" /tmp/aral-base/packages/core/node_modules
 *   BASELINE_CORE=/tmp/aral-base/packages/core/src/index.ts node --conditions=source scripts/bench/runtime-submit.ts
 * Without BASELINE_CORE it measures this tree alone, or the core at CORE=<path to src/index.ts>: alternating separate
 * processes (this tree, baseline, this tree, …) avoids the bias two module copies in one process showed under load
 * (an A/A run of two identical copies read anywhere from 0.98 to 1.44).
 */
import { createPlatform } from "../../adapters/node/src/index.ts";
import * as current from "../../packages/core/src/index.ts";
import { formatRate, runtimeLabel } from "./measure.ts";

const TASKS = 50_000;
const CONCURRENCY = 8;
const ROUNDS = 9;

type Core = Pick<typeof current, "AralRuntime">;
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const baselinePath = env["BASELINE_CORE"];
const measured: Core = env["CORE"] ? ((await import(env["CORE"])) as Core) : current;
const baseline: Core | undefined = baselinePath ? ((await import(baselinePath)) as Core) : undefined;
const platform = createPlatform();
const noop = async (): Promise<number> => 1;

async function round(core: Core): Promise<number> {
  const runtime = new core.AralRuntime(
    {
      tasks: { concurrency: CONCURRENCY, maxQueued: TASKS },
      logging: { level: "error" },
      lifecycle: { healthcheck: { enabled: false } },
    },
    { platform, handleSignals: false, env: {} },
  );
  await runtime.start();
  const before = platform.usage.cpu();
  const all: Promise<number>[] = new Array(TASKS);
  for (let i = 0; i < TASKS; i++) all[i] = runtime.submit(noop, { priority: i % 4 });
  await Promise.all(all);
  const after = platform.usage.cpu();
  await runtime.stop();
  // CPU time, not wall time: on a shared, loaded machine the wall clock mostly measures waiting for a core.
  return (after.userMicros + after.systemMicros - before.userMicros - before.systemMicros) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
await round(measured);
if (baseline) await round(baseline);
const ours: number[] = [];
const base: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  ours.push(await round(measured));
  if (baseline) base.push(await round(baseline));
}
const oursRate = (TASKS / median(ours)) * 1000;
console.log(
  `runtime.submit throughput — ${runtimeLabel()} — ${TASKS} no-op tasks, concurrency ${CONCURRENCY}, no OpenTelemetry configured, process CPU time per round, median of ${ROUNDS} rounds`,
);
console.log(
  `  ${env["CORE"] ? "CORE      " : "this tree "}  ${formatRate(oursRate).padStart(12)} tasks per CPU-second  (${median(ours).toFixed(1)} ms CPU)`,
);
if (baseline) {
  const baseRate = (TASKS / median(base)) * 1000;
  console.log(
    `  baseline    ${formatRate(baseRate).padStart(12)} tasks per CPU-second  (${median(base).toFixed(1)} ms CPU)  ${baselinePath}`,
  );
  console.log(`  ratio this/baseline  ${(oursRate / baseRate).toFixed(3)}`);
}
