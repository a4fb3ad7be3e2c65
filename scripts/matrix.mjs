#!/usr/bin/env node
// The runtime matrix: runs the conformance suite against each adapter under Node 20/22/24, Deno and Bun,
// keeps every TAP log under .tmp/matrix/, and writes the compatibility table to docs/compatibility.md.
// Native pairs (an adapter on its own runtime) must pass; the Node adapter under Deno's and Bun's Node
// compatibility is reported for information and does not fail the run.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { available, entry, root, runtimes } from "./runtimes.mjs";

const adapters = { node: "adapters/node", deno: "adapters/deno", bun: "adapters/bun" };
const pairs = [
  ...["node20", "node22", "node24"].map((rt) => ({ rt, adapter: "node", required: true })),
  { rt: "deno", adapter: "deno", required: true },
  { rt: "bun", adapter: "bun", required: true },
  { rt: "deno", adapter: "node", required: false },
  { rt: "bun", adapter: "node", required: false },
];

const outDir = join(root, ".tmp", "matrix");
mkdirSync(outDir, { recursive: true });
const results = [];
for (const pair of pairs) {
  const runtime = runtimes[pair.rt];
  if (!available(pair.rt)) {
    results.push({
      ...pair,
      version: "missing",
      passed: 0,
      failed: 1,
      skipped: 0,
      note: `${runtime.exec} not found (run scripts/provision-runtimes.sh)`,
    });
    continue;
  }
  const version = spawnSync(runtime.exec, ["--version"], { encoding: "utf8" })
    .stdout.split("\n")[0]
    .replace(/^(deno |v)/, "")
    .trim()
    .split(" ")[0];
  const cli = entry("conformance", "cli", runtime.source);
  const adapter = entry(adapters[pair.adapter], "index", runtime.source);
  const started = Date.now();
  const run = spawnSync(runtime.exec, [...runtime.args, cli, "--adapter", adapter], {
    cwd: root,
    encoding: "utf8",
    timeout: 10 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const log = `${run.stdout ?? ""}\n# stderr\n${run.stderr ?? ""}`;
  writeFileSync(join(outDir, `${pair.rt}-${pair.adapter}.tap`), log);
  const summary = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m.exec(run.stdout ?? "");
  const failures = [...(run.stdout ?? "").matchAll(/^not ok \d+ - (.*)\n(?: {2}---\n {2}message: (.*)\n)?/gm)];
  const failedNames = failures.map((m) => m[1]);
  const entryResult = summary
    ? { passed: +summary[1], failed: +summary[2], skipped: +(summary[3] ?? 0) }
    : {
        passed: 0,
        failed: 1,
        skipped: 0,
        note: `no summary line (exit ${run.status ?? run.signal}${run.error ? `, ${run.error.message}` : ""})`,
      };
  if (summary && run.status !== 0 && entryResult.failed === 0)
    Object.assign(entryResult, { failed: 1, note: `exit ${run.status}` });
  results.push({ ...pair, version, ...entryResult, failedNames, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  const r = results.at(-1);
  console.log(
    `${r.failed ? "not ok" : "ok"} - ${runtime.label} (${version}) × adapter-${pair.adapter}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${pair.required ? "" : " (informational)"}${r.note ? ` — ${r.note}` : ""}`,
  );
  for (const [, name, message] of failures.slice(0, 10))
    console.log(`    failed: ${name}${message ? `\n      ${message.slice(0, 400)}` : ""}`);
}

const cell = (r) =>
  r ? `${r.failed ? "❌" : "✅"} ${r.passed}/${r.passed + r.failed}${r.skipped ? ` (${r.skipped} skipped)` : ""}` : "—";
const columns = ["node20", "node22", "node24", "deno", "bun"];
const header = columns.map((rt) => `${runtimes[rt].label} (${results.find((r) => r.rt === rt)?.version ?? "?"})`);
const lines = [
  "# Compatibility matrix",
  "",
  `Written by \`node scripts/matrix.mjs\` (part of \`npm test\`) on ${new Date().toISOString().slice(0, 10)}. Each cell: conformance cases passed / run.`,
  "Node runs the npm build (tsup output); Deno and Bun run the TypeScript sources. An adapter on its own runtime must pass;",
  "the Node adapter under Deno's and Bun's Node compatibility is informational. TAP logs: `.tmp/matrix/`.",
  "",
  `| adapter | ${header.join(" | ")} |`,
  `| --- | ${columns.map(() => "---").join(" | ")} |`,
  ...Object.keys(adapters).map(
    (a) =>
      `| adapter-${a} | ${columns.map((rt) => cell(results.find((r) => r.rt === rt && r.adapter === a))).join(" | ")} |`,
  ),
  "",
];
lines.push(
  "Known: under Deno, the Node adapter's signal cases fail because Deno's `node:child_process` reports a child that",
  "caught a signal and exited 0 as killed by that signal. The Deno adapter (`Deno.Command`) does not have this problem;",
  "use it on Deno (the `aral` package picks it by the `deno` export condition).",
  "",
);
const failures = results.filter((r) => r.failed);
if (failures.length) {
  lines.push("## Failures", "");
  for (const r of failures)
    lines.push(
      `- ${runtimes[r.rt].label} × adapter-${r.adapter}${r.required ? "" : " (informational)"}: ${r.note ?? r.failedNames.join("; ")}`,
    );
  lines.push("");
}
writeFileSync(join(root, "docs", "compatibility.md"), lines.join("\n"));

const required = results.filter((r) => r.required);
const passed = required.reduce((n, r) => n + r.passed, 0);
const failed = required.reduce((n, r) => n + r.failed, 0);
const skipped = required.reduce((n, r) => n + r.skipped, 0);
console.log(`matrix: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
