#!/usr/bin/env node
/**
 * Benchmark (not a test): requests/s and p99 latency of the Node adapter's net.serve against raw node:http,
 * @hono/node-server and srvx, for a small body, a 64 KiB body and a streamed body, measured with autocannon.
 * Each server runs in its own Node 24 child process (serve-target.ts); the contenders of one body are
 * measured in alternating rounds, so machine load hits them alike. On a shared machine requests/s swings
 * with other load, so the goal ratios use capacity: requests served per CPU-second of the server process
 * (utime + stime from /proc/<pid>/stat, Linux), which other processes barely move. Both are printed; each
 * ratio is the median over rounds of that round's ratio; aral's ratio of each round is printed too.
 * BENCH_SECONDS (default 3) per round, BENCH_ROUNDS (default 5) rounds, BENCH_CONNECTIONS (default 32),
 * BENCH_BODIES (default small,64k,stream; also stream-turns: not a goal, see serve-target.ts), BENCH_BASE (a copy
 * of adapters/node/src placed inside adapters/node/ so its imports resolve: an extra contender "base", for a
 * before/after in one run), BENCH_PIN=0 (do not pin the load generator and the servers to CPUs 0 and 1).
 *   node scripts/bench/serve.mjs
 */
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { root, runtimes } from "../runtimes.mjs";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
// BENCH_BASE: a directory holding another copy of adapters/node/src (e.g. main's, for a before/after in one run)
const BASE = process.env.BENCH_BASE;
const SERVERS = ["raw", "aral", "hono", "srvx", ...(BASE ? ["base"] : [])];
const BODIES = (process.env.BENCH_BODIES ?? "small,64k,stream").split(",");
const node = runtimes.node24.exec;
// The load generator (this process, every thread) on CPU 0 and each server on CPU 1, where taskset and two CPUs exist:
// left to the scheduler, both moved across the two CPUs of this machine and aral's per-round ratio to raw swung
// 0.79-1.19 in one run; pinned, 0.86-0.96 (2026-12-01). BENCH_PIN=0: not pinned.
const PINNED =
  process.env.BENCH_PIN !== "0" &&
  availableParallelism() >= 2 &&
  spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" }).status === 0;

async function start(kind, body) {
  const command = [node, "--conditions=source", "scripts/bench/serve-target.ts", kind, body];
  // taskset execs node in the same process: the pid read below is the server's
  const [exec, ...args] = PINNED ? ["taskset", "-c", "1", ...command] : command;
  const child = spawn(exec, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: BASE ? { ...process.env, BENCH_BASE: resolve(BASE) } : process.env,
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  for await (const chunk of child.stdout) {
    out += chunk;
    if (out.includes("\n")) break;
  }
  const port = Number(out.trim());
  if (!port) throw new Error(`${kind} did not start: ${out}`);
  return {
    port,
    pid: child.pid,
    stop: async () => {
      child.kill();
      await once(child, "exit").catch(() => {});
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function load(port) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: SECONDS }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(
  `net.serve on ${node} — ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server and body; ${PINNED ? "load generator on CPU 0, servers on CPU 1" : "not pinned to CPUs"}`,
);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const goals = [];
for (const body of BODIES) {
  const servers = {};
  for (const kind of SERVERS) servers[kind] = await start(kind, body);
  const samples = Object.fromEntries(SERVERS.map((kind) => [kind, { rps: [], capacity: [], p99: [], errors: 0 }]));
  for (const kind of SERVERS)
    await load(servers[kind].port).then(
      () => {},
      () => {},
    ); // warm-up (JIT) of each, 1 round not counted
  for (let round = 0; round < ROUNDS; round++) {
    // each round starts with a different server, so a burst of other load does not always hit the same one
    const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]);
    for (const kind of order) {
      const cpuBefore = cpuSeconds(servers[kind].pid);
      const result = await load(servers[kind].port);
      const cpu = cpuSeconds(servers[kind].pid) - cpuBefore;
      samples[kind].capacity.push(result.requests.total / Math.max(cpu, 0.01));
      samples[kind].rps.push(result.requests.average);
      samples[kind].p99.push(result.latency.p99);
      samples[kind].errors += result.errors + result.non2xx;
    }
  }
  for (const kind of SERVERS) await servers[kind].stop();
  // ratios per round (the contenders of one round shared its load), then the median round
  const ratio = (kind, peer, metric) =>
    median(samples[kind][metric].map((value, round) => value / samples[peer][metric][round]));
  console.log(`\nbody: ${body}`);
  for (const kind of SERVERS) {
    const s = samples[kind];
    console.log(
      `  ${kind.padEnd(5)} ${fmt(median(s.rps)).padStart(8)} req/s (${ratio(kind, "raw", "rps").toFixed(2)}× raw)   ${fmt(median(s.capacity)).padStart(8)} req per CPU-s (${ratio(kind, "raw", "capacity").toFixed(2)}× raw)   p99 ${String(median(s.p99)).padStart(4)} ms${s.errors ? `   ${s.errors} errors` : ""}`,
    );
  }
  const rounds = (peer) =>
    samples.aral.capacity.map((value, round) => (value / samples[peer].capacity[round]).toFixed(2)).join(" ");
  console.log(
    `  aral per round (req per CPU-s): ×raw ${rounds("raw")}   ×hono ${rounds("hono")}   ×srvx ${rounds("srvx")}${BASE ? `   ×base ${rounds("base")}` : ""}`,
  );
  if (body === "stream-turns") continue; // informational: no goal of the issue
  const vsRaw = ratio("aral", "raw", "capacity");
  const vsHono = ratio("aral", "hono", "capacity");
  const vsSrvx = ratio("aral", "srvx", "capacity");
  const ahead = vsHono > 1 && vsSrvx > 1;
  goals.push(
    `net.serve ${body}: ${vsRaw.toFixed(2)}× raw node:http per CPU-second (${fmt(median(samples.aral.capacity))} vs ${fmt(median(samples.raw.capacity))}; goal ≥ 0.85) ${vsRaw >= 0.85 ? "MET" : "NOT MET"}; ${ahead ? "ahead of" : "NOT ahead of"} @hono/node-server (${vsHono.toFixed(2)}×) and srvx (${vsSrvx.toFixed(2)}×) ${ahead ? "MET" : "NOT MET"}; p99 ${median(samples.aral.p99)} ms vs raw ${median(samples.raw.p99)} ms`,
  );
}
console.log(`\n${goals.join("\n")}`);
