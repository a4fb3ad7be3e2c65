#!/usr/bin/env node
// `npm run bench`: every benchmark on Node 24, Deno and Bun, one after another, figures and ratios as each prints them.
// Benchmarks, not tests: nothing here passes or fails; each prints its goal lines (MET / NOT MET) with the peer or
// native figure beside it. Record figures in RESULTS*.md by hand (RESULTS-performance.md for issue 12's goals).
import { spawnSync } from "node:child_process";
import { root, runtimes } from "../runtimes.mjs";

const scripts = [
  "scripts/bench/queue.ts",
  "scripts/bench/resilience.ts",
  "scripts/bench/resources.ts",
  "scripts/bench/ops.ts",
  "scripts/bench/soak.ts",
];
const plan = [
  ["node24", ["--expose-gc", "--conditions=source"]],
  ["deno", ["run", "-A", "--v8-flags=--expose-gc"]],
  ["bun", ["--conditions=source"]],
];
// PM2 is a Node tool: aral up vs PM2 runs once, on Node 24.
const nodeOnly = ["scripts/bench/supervisor-vs-pm2.mjs"];
for (const script of scripts) {
  for (const [rt, args] of plan) {
    console.log(`\n### ${script} on ${runtimes[rt].label}`);
    spawnSync(runtimes[rt].exec, [...args, script], { cwd: root, stdio: "inherit" });
  }
}

// Whole-process benchmarks: each starts its own children on Node 24, Deno and Bun (serve and PM2: Node only).
console.log(`\nload while measuring: ${spawnSync("uptime", { encoding: "utf8" }).stdout.trim()}`);
for (const script of ["scripts/bench/import.mjs", "scripts/bench/start.mjs", "scripts/bench/serve.mjs", ...nodeOnly]) {
  console.log(`\n### ${script}`);
  spawnSync(runtimes.node24.exec, [script], { cwd: root, stdio: "inherit" });
}
