#!/usr/bin/env node
// `npm run bench`: every benchmark on Node 24, Deno and Bun, one after another, figures and ratios as each prints them.
// Benchmarks, not tests: nothing here passes or fails. Record figures in RESULTS*.md by hand.
import { spawnSync } from "node:child_process";
import { root, runtimes } from "../runtimes.mjs";

const scripts = ["scripts/bench/queue.ts", "scripts/bench/resilience.ts", "scripts/bench/resources.ts"];
const plan = [
  ["node24", ["--conditions=source"]],
  ["deno", ["run", "-A"]],
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
for (const script of nodeOnly) {
  console.log(`\n### ${script} on ${runtimes.node24.label}`);
  spawnSync(runtimes.node24.exec, [script], { cwd: root, stdio: "inherit" });
}
