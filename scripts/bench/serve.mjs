#!/usr/bin/env node
/**
 * Benchmark (not a test): requests/s and p99 latency of the Node adapter's net.serve against raw node:http,
 * @hono/node-server and srvx, for a small body, a 64 KiB body and a streamed body, measured with autocannon.
 * Each server runs in its own Node 24 child process (serve-target.ts); the contenders of one body are
 * measured in alternating rounds, so machine load hits them alike. On a shared machine requests/s swings
 * with other load, so the goal ratios use capacity: requests served per CPU-second of the server process
 * (utime + stime from /proc/<pid>/stat, Linux), which other processes barely move. Both are printed. BENCH_SECONDS (default 4) per round,
 * BENCH_ROUNDS (default 2) rounds, BENCH_CONNECTIONS (default 32).
 *   node scripts/bench/serve.mjs
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { root, runtimes } from "../runtimes.mjs";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SERVERS = ["raw", "aral", "hono", "srvx"];
const BODIES = (process.env.BENCH_BODIES ?? "small,64k,stream").split(",");
const node = runtimes.node24.exec;

async function start(kind, body) {
  const child = spawn(node, ["--conditions=source", "scripts/bench/serve-target.ts", kind, body], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
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
console.log(`net.serve on ${node} — ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server and body`);
const goals = [];
for (const body of BODIES) {
  const servers = {};
  for (const kind of SERVERS) servers[kind] = await start(kind, body);
  const samples = Object.fromEntries(
    SERVERS.map((kind) => [kind, { rps: [], p99: [], errors: 0, requests: 0, cpu: 0 }]),
  );
  for (const kind of SERVERS)
    await load(servers[kind].port).then(
      () => {},
      () => {},
    ); // warm-up (JIT) of each, 1 round not counted
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of SERVERS) {
      const cpuBefore = cpuSeconds(servers[kind].pid);
      const result = await load(servers[kind].port);
      samples[kind].cpu += cpuSeconds(servers[kind].pid) - cpuBefore;
      samples[kind].requests += result.requests.total;
      samples[kind].rps.push(result.requests.average);
      samples[kind].p99.push(result.latency.p99);
      samples[kind].errors += result.errors + result.non2xx;
    }
  }
  for (const kind of SERVERS) await servers[kind].stop();
  const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
  const rps = Object.fromEntries(SERVERS.map((kind) => [kind, mean(samples[kind].rps)]));
  const capacity = Object.fromEntries(
    SERVERS.map((kind) => [kind, samples[kind].requests / Math.max(samples[kind].cpu, 0.01)]),
  );
  console.log(`\nbody: ${body}`);
  for (const kind of SERVERS) {
    const s = samples[kind];
    console.log(
      `  ${kind.padEnd(5)} ${fmt(rps[kind]).padStart(8)} req/s (${(rps[kind] / rps.raw).toFixed(2)}× raw)   ${fmt(capacity[kind]).padStart(8)} req per CPU-s (${(capacity[kind] / capacity.raw).toFixed(2)}× raw)   p99 ${String(Math.max(...s.p99)).padStart(4)} ms${s.errors ? `   ${s.errors} errors` : ""}`,
    );
  }
  const ratio = capacity.aral / capacity.raw;
  const ahead = capacity.aral > capacity.hono && capacity.aral > capacity.srvx;
  goals.push(
    `net.serve ${body}: ${ratio.toFixed(2)}× raw node:http per CPU-second (goal ≥ 0.85) ${ratio >= 0.85 ? "MET" : "NOT MET"}; ${ahead ? "ahead of" : "NOT ahead of"} @hono/node-server (${(capacity.aral / capacity.hono).toFixed(2)}×) and srvx (${(capacity.aral / capacity.srvx).toFixed(2)}×); p99 ${Math.max(...samples.aral.p99)} ms vs raw ${Math.max(...samples.raw.p99)} ms`,
  );
}
console.log(`\n${goals.join("\n")}`);
