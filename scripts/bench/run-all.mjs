#!/usr/bin/env node
// `npm run bench`: issue 12's performance goals on Node 24, Deno and Bun — import cost, start → health, net.serve
// against raw node:http / @hono/node-server / srvx, adapter operations against each runtime's own API, and a bounded
// memory soak — then every goal line again in one summary with its verdict. About 6–7 minutes on 2 quiet cores.
// `npm run bench -- --all` adds the other benchmarks (queue, resilience, resources, aral up vs PM2; several minutes more).
// Benchmarks, not tests: nothing here passes or fails; each script prints its goal lines (figure, the peer or native
// figure beside it, MET / NOT MET), measured side by side in alternating rounds and reduced to medians (ops.ts: each
// side's fastest batch). Record figures in RESULTS*.md by hand (RESULTS-performance.md for issue 12's goals).
import { spawnSync } from "node:child_process";
import { root, runtimes } from "../runtimes.mjs";

const all = process.argv.includes("--all");
const plan = [
  ["node24", ["--expose-gc", "--conditions=source"]],
  ["deno", ["run", "-A", "--v8-flags=--expose-gc"]],
  ["bun", ["--conditions=source"]],
];
const goalLines = [];

/** Runs one benchmark, prints its output as it is, and keeps its goal lines (those ending in a verdict) for the summary. */
function run(title, exec, args, env = {}) {
  console.log(`\n### ${title}`);
  const started = Date.now();
  const result = spawnSync(exec, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? "");
  const lines = (result.stdout ?? "").split("\n").filter((line) => /\b(MET|NOT MET)\b|^memory soak/.test(line));
  goalLines.push(...lines);
  if (result.status !== 0) goalLines.push(`${title}: FAILED (exit ${result.status ?? result.signal}) — no figure`);
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

const load = () => spawnSync("uptime", { encoding: "utf8" }).stdout.trim();
const loadBefore = load();
console.log(`load before: ${loadBefore}`);
const started = Date.now();

// per-runtime scripts: adapter operations and the memory soak (30 s each unless BENCH_SOAK_SECONDS says otherwise)
for (const [rt, args] of plan)
  run(`scripts/bench/ops.ts on ${runtimes[rt].label}`, runtimes[rt].exec, [...args, "scripts/bench/ops.ts"]);
// the soak runs twice per runtime: aral, then the bare runtime under the same load (the control, printed beside it)
for (const [rt, args] of plan)
  for (const control of [[], ["--bare"]])
    run(
      `scripts/bench/soak.ts ${control.join(" ")} on ${runtimes[rt].label}`,
      runtimes[rt].exec,
      [...args, "scripts/bench/soak.ts", ...control],
      {
        BENCH_SOAK_SECONDS: process.env.BENCH_SOAK_SECONDS ?? "30",
      },
    );
// whole-process benchmarks: each starts its own children on Node 24, Deno and Bun (serve: Node only)
for (const script of ["scripts/bench/import.mjs", "scripts/bench/start.mjs", "scripts/bench/serve.mjs"])
  run(script, runtimes.node24.exec, [script]);

if (all) {
  for (const script of ["scripts/bench/queue.ts", "scripts/bench/resilience.ts", "scripts/bench/resources.ts"])
    for (const [rt, args] of plan) run(`${script} on ${runtimes[rt].label}`, runtimes[rt].exec, [...args, script]);
  // PM2 is a Node tool: aral up vs PM2 runs once, on Node 24
  run("scripts/bench/supervisor-vs-pm2.mjs", runtimes.node24.exec, ["scripts/bench/supervisor-vs-pm2.mjs"]);
}

const verdicts = goalLines.filter((line) => /\bMET\b/.test(line) || /FAILED/.test(line));
const met = verdicts.filter((line) => !/NOT MET|FAILED/.test(line)).length;
console.log(`\n=== goals (${met} of ${verdicts.length} lines met; soak controls beside their runtime) ===`);
for (const line of goalLines) console.log(line);
console.log(`\nload before: ${loadBefore}\nload after:  ${load()}`);
console.log(`total ${((Date.now() - started) / 60_000).toFixed(1)} min`);
