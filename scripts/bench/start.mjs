#!/usr/bin/env node
/**
 * Benchmark (not a test): process start → agent running with its health endpoint answering, against a bare
 * server of the same runtime answering the same path (node:http, Deno.serve, Bun.serve). Alternating runs,
 * BENCH_RUNS (default 7) each. Printed: median wall time from spawn to the first 200 of GET /health/live, and
 * the CPU the child used to get there (/proc/<pid>/stat; on a shared machine wall time swings with other
 * load, CPU much less). Goal: ≤ 1.2× the bare serve. Node 24 and Bun run the tsup build, Deno the sources.
 * BENCH_RUNTIMES (default node24,deno,bun) picks the runtimes.
 *   node scripts/bench/start.mjs
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root, runtimes } from "../runtimes.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOAL = 1.2;

const AGENT = `import { AralRuntime } from "aral";
const runtime = new AralRuntime({ health: { enabled: true } });
await runtime.start();
console.log(runtime.healthUrl);
`;
const BARE = {
  node24: `import http from "node:http";
const server = http.createServer((_req, res) => res.end('{"status":"pass"}'));
server.listen(0, "127.0.0.1", () => console.log("http://127.0.0.1:" + server.address().port));
`,
  deno: `const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response('{"status":"pass"}'));
console.log("http://127.0.0.1:" + server.addr.port);
`,
  bun: `const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response('{"status":"pass"}') });
console.log("http://127.0.0.1:" + server.port);
`,
};

// Node and Bun resolve "aral" by self-reference from inside packages/aral; Deno through the workspace import map.
const places = {
  node24: join(root, "packages", "aral"),
  bun: join(root, "packages", "aral"),
  deno: join(root, "scripts", "bench"),
};
const args = { node24: [], bun: [], deno: ["run", "-A"] };

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function once(rt, file) {
  const started = performance.now();
  const child = spawn(runtimes[rt].exec, [...args[rt], file], {
    cwd: places[rt],
    stdio: ["ignore", "pipe", "inherit"],
  });
  // the agent logs JSON lines on stdout too: the URL is the first line that is one
  let out = "";
  let url;
  child.stdout.setEncoding("utf8");
  for await (const chunk of child.stdout) {
    out += chunk;
    url = out.split("\n").find((line) => line.startsWith("http"));
    if (url) break;
  }
  child.stdout.resume(); // keep draining its logs
  if (!url) throw new Error(`${rt} ${file} printed no URL:\n${out}`);
  url = url.trim().replace(/\/$/, "");
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/health/live`).then(
      (r) => (r.body?.cancel(), r.ok),
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${url}/health/live did not answer 200 within 30 s`);
  }
  const wall = performance.now() - started;
  const cpu = cpuSeconds(child.pid) * 1000;
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  return { wall, cpu };
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const goals = [];
for (const rt of (process.env.BENCH_RUNTIMES ?? "node24,deno,bun").split(",")) {
  const agentFile = join(places[rt], `.bench-start-agent.${rt === "deno" ? "ts" : "mjs"}`);
  const bareFile = join(places[rt], `.bench-start-bare.${rt === "deno" ? "ts" : "mjs"}`);
  writeFileSync(agentFile, AGENT);
  writeFileSync(bareFile, BARE[rt]);
  try {
    await once(rt, agentFile); // warm caches
    const agent = [];
    const bare = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(await once(rt, bareFile));
      agent.push(await once(rt, agentFile));
    }
    const w = { agent: median(agent.map((m) => m.wall)), bare: median(bare.map((m) => m.wall)) };
    const c = { agent: median(agent.map((m) => m.cpu)), bare: median(bare.map((m) => m.cpu)) };
    console.log(
      `${runtimes[rt].label.padEnd(8)} agent ${w.agent.toFixed(0).padStart(5)} ms wall ${c.agent.toFixed(0).padStart(4)} ms CPU   bare serve ${w.bare.toFixed(0).padStart(5)} ms wall ${c.bare.toFixed(0).padStart(4)} ms CPU   → ${(w.agent / w.bare).toFixed(2)}× wall, ${(c.agent / c.bare).toFixed(2)}× CPU`,
    );
    const ratio = c.agent / c.bare;
    goals.push(
      `start → health answering on ${runtimes[rt].label}: ${ratio.toFixed(2)}× a bare serve in CPU (${(w.agent / w.bare).toFixed(2)}× wall) (goal ≤ ${GOAL}) ${ratio <= GOAL ? "MET" : "NOT MET"}`,
    );
  } finally {
    rmSync(agentFile, { force: true });
    rmSync(bareFile, { force: true });
  }
}
console.log(`\n${goals.join("\n")}`);
