#!/usr/bin/env node
/**
 * Benchmark (not a test): process start → agent running with its health endpoint answering, against a bare
 * server of the same runtime answering the same path (node:http, Deno.serve, Bun.serve). Alternating runs,
 * BENCH_RUNS (default 7) each. Printed: median wall time from spawn to the first 200 of GET /health/live, and
 * the CPU the child used to get there (bash's `time`, to the millisecond; on a shared machine wall time swings
 * with other load, CPU much less). Goal: ≤ 1.2× the bare serve. Node 24 and Bun run the tsup build, Deno the sources.
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

/**
 * Runs `exec args` under bash's `time`, which prints the CPU (user + system, every thread, to the millisecond) the
 * runtime used once it is gone, however it ended. /proc/<pid>/stat counts in 10 ms ticks: a bare Bun serve is 2-4
 * of them, so its ratio moved by a whole 1x between runs.
 */
function spawnTimed(exec, args, cwd) {
  const timed = 'TIMEFORMAT="cpu %3U %3S"; time "$@"';
  return spawn("bash", ["-c", timed, "timed", exec, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

/** The runtime bash started (bash waits for it to report its time; it does not exec it). */
function timedChild(bash) {
  const children = readFileSync(`/proc/${bash.pid}/task/${bash.pid}/children`, "utf8").trim().split(" ");
  if (children.length !== 1 || !children[0]) throw new Error(`bash ${bash.pid} has children '${children.join(" ")}'`);
  return Number(children[0]);
}

async function once(rt, file) {
  const started = performance.now();
  const child = spawnTimed(runtimes[rt].exec, [...args[rt], file], places[rt]);
  let errors = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => (errors += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
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
  if (!url) throw new Error(`${rt} ${file} printed no URL:\n${out}${errors}`);
  url = url.trim().replace(/\/$/, "");
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/health/live`).then(
      (r) => {
        r.body?.cancel();
        return r.ok;
      },
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${url}/health/live did not answer 200 within 30 s`);
  }
  const wall = performance.now() - started;
  process.kill(timedChild(child), "SIGKILL");
  await exited;
  const times = /^cpu (\S+) (\S+)$/m.exec(errors);
  if (!times) throw new Error(`${rt} ${file}: no time reported:\n${errors}`);
  const cpu = (Number(times[1]) + Number(times[2])) * 1000;
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
