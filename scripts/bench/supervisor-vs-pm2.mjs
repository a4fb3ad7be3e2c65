#!/usr/bin/env node
// Benchmark (not a test): `aral up` vs PM2 on the same Node agent (supervisor-agent.mjs).
// - crash → restarted-and-ready latency: POST /crash, then poll GET /pid until a new process answers;
// - the supervisor's own memory per supervised agent: RSS of `aral up` / of PM2's daemon, ÷ agents (1 and 10).
// Both restart at once (aral: errorHandling.backoffMs 0; PM2: restart_delay 0, its default).
// Run: node scripts/bench/supervisor-vs-pm2.mjs (aral from packages/cli/dist after `npm run build`, else from its
// TypeScript sources, which needs Node 22+ and costs the memory of type stripping).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const agent = join(here, "supervisor-agent.mjs");
const pm2Bin = join(here, "node_modules", "pm2", "bin", "pm2");
// The build (what `npm i -g @aral/cli` runs) when there is one, else the TypeScript sources (Node 22+).
const builtBin = join(root, "packages", "cli", "dist", "bin.js");
const aralArgs = existsSync(builtBin)
  ? [builtBin]
  : ["--conditions=source", join(root, "packages", "cli", "src", "bin.ts")];
const TRIALS = 15;
const BASE_PORT = 47_100;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function rssBytes(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match[1]) * 1024;
}

async function pidOn(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/pid`, { signal: AbortSignal.timeout(500) });
    return Number(await response.text());
  } catch {
    return undefined;
  }
}

async function waitForPid(port, notPid, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await pidOn(port);
    if (pid !== undefined && pid !== notPid) return pid;
    if (Date.now() > deadline) throw new Error(`no agent answered on port ${port}`);
    await sleep(2);
  }
}

/** Crash the agent on `port` TRIALS times; milliseconds from the crash request to a new process answering. */
async function restartLatencies(port) {
  const samples = [];
  let pid = await waitForPid(port, undefined);
  for (let i = 0; i < TRIALS; i++) {
    const start = performance.now();
    await fetch(`http://127.0.0.1:${port}/crash`, { method: "POST" })
      .then((r) => r.text())
      .catch(() => {});
    pid = await waitForPid(port, pid);
    samples.push(performance.now() - start);
    await sleep(300); // a calm moment between crashes: neither supervisor should see a crash loop
  }
  return samples;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p90 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)];

async function withAral(agents, work) {
  const dir = mkdtempSync(join(tmpdir(), "aral-bench-"));
  const name = `bench${process.pid}x${agents}`;
  const fleet = {
    name,
    logs: { dir: join(dir, "logs") },
    agents: Array.from({ length: agents }, (_, i) => ({
      name: `a${i}`,
      runtime: "node",
      entry: agent,
      args: [String(BASE_PORT + i)],
      maxRestarts: 1000,
      ready: { line: "ready" },
      layers: { runtime: { errorHandling: { backoffMs: 0, maxBackoffMs: 0 } } },
    })),
  };
  writeFileSync(join(dir, "fleet.json"), JSON.stringify(fleet));
  const env = { ...process.env, ARAL_CONTROL_DIR: join(dir, "control") };
  const up = spawn(process.execPath, [...aralArgs, "up", join(dir, "fleet.json")], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  up.stderr.on("data", (chunk) => (err += chunk));
  const exited = new Promise((resolve) => up.once("exit", resolve));
  const died = exited.then(() => {
    throw new Error(`aral up exited early:\n${err}`);
  });
  try {
    for (let i = 0; i < agents; i++) await Promise.race([waitForPid(BASE_PORT + i, undefined), died]);
    return await work(up.pid);
  } finally {
    died.catch(() => {});
    up.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
    if (process.env.BENCH_VERBOSE) console.error(err);
  }
}

async function withPm2(agents, work) {
  const home = mkdtempSync(join(tmpdir(), "pm2-bench-"));
  const env = { ...process.env, PM2_HOME: home };
  const ecosystem = join(home, "ecosystem.config.cjs");
  const apps = Array.from({ length: agents }, (_, i) => ({
    name: `a${i}`,
    script: agent,
    args: String(BASE_PORT + i),
    autorestart: true,
    max_restarts: 1000,
    min_uptime: 100,
    restart_delay: 0,
  }));
  writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps })};`);
  const pm2 = (...args) => spawnSync(process.execPath, [pm2Bin, ...args], { env, encoding: "utf8" });
  const started = pm2("start", ecosystem);
  if (started.status !== 0) throw new Error(`pm2 start failed: ${started.stderr}`);
  try {
    for (let i = 0; i < agents; i++) await waitForPid(BASE_PORT + i, undefined);
    const daemon = Number(readFileSync(join(home, "pm2.pid"), "utf8"));
    return await work(daemon);
  } finally {
    pm2("kill");
    rmSync(home, { recursive: true, force: true });
  }
}

async function measure(label, run) {
  const latencies = await run(1, () => restartLatencies(BASE_PORT));
  const memory = {};
  for (const agents of [1, 10]) {
    memory[agents] = await run(agents, async (pid) => {
      await sleep(3_000); // settle after start
      return rssBytes(pid);
    });
  }
  return { label, latencies, memory };
}

if (!existsSync(pm2Bin)) {
  console.error("pm2 is not installed: run pnpm install (scripts/bench devDependency)");
  process.exit(1);
}
const pm2Version = spawnSync(process.execPath, [pm2Bin, "--version"], {
  encoding: "utf8",
  env: { ...process.env, PM2_HOME: mkdtempSync(join(tmpdir(), "pm2-v-")) },
})
  .stdout.trim()
  .split("\n")
  .at(-1);
console.log(
  `# aral up (${existsSync(builtBin) ? "built" : "TypeScript sources"}) vs PM2 ${pm2Version} — Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString()}`,
);
const aral = await measure("aral up", withAral);
const pm2 = await measure(`pm2 ${pm2Version}`, withPm2);
const MiB = 1024 * 1024;
console.log(
  "| supervisor | restart→ready median ms | p90 ms | RSS, 1 agent | RSS, 10 agents | RSS ÷ agents (10) | each added agent |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of [aral, pm2]) {
  console.log(
    `| ${r.label} | ${median(r.latencies).toFixed(1)} | ${p90(r.latencies).toFixed(1)} | ${(r.memory[1] / MiB).toFixed(1)} MiB | ${(r.memory[10] / MiB).toFixed(1)} MiB | ${(r.memory[10] / 10 / MiB).toFixed(1)} MiB | ${((r.memory[10] - r.memory[1]) / 9 / MiB).toFixed(2)} MiB |`,
  );
}
const latencyRatio = median(aral.latencies) / median(pm2.latencies);
const memoryRatio = aral.memory[10] / pm2.memory[10];
console.log(
  `restart latency aral/pm2: ${latencyRatio.toFixed(2)}× (goal ≤ 1: ${latencyRatio <= 1 ? "met" : "NOT met"})`,
);
console.log(
  `memory per agent (RSS ÷ 10 agents) aral/pm2: ${memoryRatio.toFixed(2)}× (goal ≤ 1: ${memoryRatio <= 1 ? "met" : "NOT met"})`,
);
const marginalRatio = (aral.memory[10] - aral.memory[1]) / (pm2.memory[10] - pm2.memory[1]);
console.log(`memory of each added agent aral/pm2: ${marginalRatio.toFixed(2)}×`);
