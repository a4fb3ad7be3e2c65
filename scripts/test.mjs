#!/usr/bin/env node
// The whole test run: typecheck, build, package checks, unit tests, the seed's tests on each runtime,
// the conformance suite's self-test against mutant adapters, and the runtime matrix.
// Every step runs even if an earlier one failed; the last line sums them up as "N passed, N failed".
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { root, runtimes } from "./runtimes.mjs";

const bin = (name) => join(root, "node_modules", ".bin", name);
const pnpm = ["npx", "-y", "pnpm@12.21.0"];
const packages = [
  "packages/platform",
  "packages/core",
  "packages/supervisor",
  "adapters/node",
  "adapters/deno",
  "adapters/bun",
  "conformance",
  "packages/aral",
  "packages/cli",
];

/**
 * Members JSR still finds slow types in — none since core's config types became written-out interfaces. An empty
 * list makes every publish check strict; add a member only with the reason.
 */
const slowTypeMembers = [];
function slowTypes(dir) {
  return slowTypeMembers.includes(dir) ? ["--allow-slow-types"] : [];
}

/** Counts from the runner's own closing line, when it prints one. */
const parsers = {
  vitest: (out) => {
    const m = /Tests\s+(?:(\d+) failed \| )?(\d+) passed(?: \| (\d+) skipped)?/.exec(out);
    return m && { failed: +(m[1] ?? 0), passed: +m[2], skipped: +(m[3] ?? 0) };
  },
  summary: (out) => {
    const all = [...out.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)];
    const m = all.at(-1);
    return m && { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
  },
  bunTest: (out) => {
    const p = /^\s*(\d+) pass$/m.exec(out),
      f = /^\s*(\d+) fail$/m.exec(out);
    return p && { passed: +p[1], failed: +(f?.[1] ?? 0), skipped: 0 };
  },
  // "ok | 1 passed (2 steps) | 0 failed": with describe/it, the steps are the tests.
  denoTest: (out) => {
    const m = /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/.exec(out);
    return m && { passed: +(m[2] ?? m[1]), failed: +(m[4] ?? m[3]), skipped: 0 };
  },
};

const steps = [
  { name: "lint (biome lint, warnings fail)", cmd: [bin("biome"), "lint", "--error-on-warnings", "."] },
  // Lint + format check. Red until the one formatter pass (npm run format) lands; after it, every change keeps it green.
  { name: "format (biome ci)", cmd: [bin("biome"), "ci", "."] },
  { name: "versions (deno.json = package.json)", cmd: [process.execPath, "scripts/sync-deno-versions.mjs", "--check"] },
  { name: "typecheck (tsc)", cmd: [bin("tsc"), "-p", "tsconfig.json", "--noEmit"] },
  {
    name: "typecheck (deno check)",
    cmd: [
      bin("deno"),
      "check",
      "adapters/deno/src/index.ts",
      "adapters/deno/src/worker-thread-bootstrap.ts",
      "packages/aral/src/deno.ts",
      "conformance/src/cli.ts",
    ],
  },
  { name: "build (tsup: ESM + CJS + types)", cmd: [...pnpm, "-r", "--workspace-concurrency=1", "run", "build"] },
  { name: "ASCII sources and builds (one-byte strings for V8)", cmd: [process.execPath, "scripts/check-ascii.mjs"] },
  ...packages.map((dir) => ({ name: `publint ${dir}`, cmd: [bin("publint"), "--strict", "--pack", "npm", dir] })),
  ...packages.map((dir) => ({
    name: `attw ${dir}`,
    cmd: [bin("attw"), "--pack", ".", "--profile", "esm-only", "--format", "table-flipped"],
    cwd: dir,
  })),
  {
    name: "types in a stock Node project (@tsconfig/node20, skipLibCheck: false)",
    cmd: [process.execPath, "scripts/check-consumer-types.mjs"],
  },
  // The whole workspace at once (what `deno publish` at the root does), then each member. adapters/bun/deno.json has
  // compilerOptions of its own (types: @types/bun), which gives it its own type-check program: bun-types redefine
  // globals such as URL, which must not meet the Node and Deno adapters. --allow-slow-types only where slowTypes says.
  { name: "deno publish --dry-run (JSR, workspace)", cmd: [bin("deno"), "publish", "--dry-run", "--allow-dirty"] },
  ...packages.map((dir) => ({
    name: `deno publish --dry-run (JSR) ${dir}`,
    cmd: [bin("deno"), "publish", "--dry-run", "--allow-dirty", ...slowTypes(dir)],
    cwd: dir,
  })),
  { name: "unit tests (vitest, Node)", cmd: [bin("vitest"), "run"], parse: "vitest" },
  {
    name: "seed tests (deno test)",
    cmd: [bin("deno"), "test", "-A", "packages/aral/test/seed.test.ts"],
    parse: "denoTest",
  },
  {
    name: "seed tests (bun test)",
    cmd: [bin("bun"), "test", "--conditions=source", "packages/aral/test/seed.test.ts"],
    parse: "bunTest",
  },
  { name: "Deno adapter tests (deno test)", cmd: [bin("deno"), "test", "-A", "adapters/deno/test"], parse: "denoTest" },
  {
    name: "Bun adapter tests (bun test)",
    cmd: [bin("bun"), "test", "--conditions=source", "adapters/bun/test"],
    parse: "bunTest",
  },
  ...["node24", "deno", "bun"].map((rt) => ({
    name: `conformance self-test: mutant adapters (${runtimes[rt].label})`,
    cmd: [
      runtimes[rt].exec,
      ...(rt.startsWith("node") ? ["--conditions=source"] : runtimes[rt].args),
      "conformance/test/mutants.ts",
    ],
    parse: "summary",
  })),
  {
    name: "runtime matrix (conformance × adapters × runtimes)",
    cmd: [process.execPath, "scripts/matrix.mjs"],
    parse: "summary",
  },
];

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];
for (const step of steps) {
  console.log(`\n## ${step.name}`);
  const started = Date.now();
  const [cmd, ...args] = step.cmd;
  const run = spawnSync(cmd, args, {
    cwd: join(root, step.cwd ?? "."),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  const out = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  // A long output is cut to its tail; every failure line (TAP "not ok" and its message, a mutant run's "#   " detail,
  // vitest "FAIL") is kept above the cut.
  const failureLines = out
    .split("\n")
    .filter((line) => /^(not ok\b| FAIL |# {3}\S| {2}message: )/.test(line.replace(/\x1b\[[0-9;]*m/g, "")));
  process.stdout.write(
    out.length > 20_000
      ? `${failureLines.map((line) => `${line}\n`).join("")}…(${out.length - 20_000} characters cut; rerun the step to see all)\n${out.slice(-20_000)}`
      : out,
  );
  const counts = step.parse ? parsers[step.parse](out.replace(/\x1b\[[0-9;]*m/g, "")) : null;
  const ok = run.status === 0;
  const c = counts ?? { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
  if (!ok && c.failed === 0) c.failed = 1;
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  if (!ok) failedSteps.push(step.name);
  console.log(
    `## ${ok ? "ok" : "FAILED"}: ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s; ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""})`,
  );
}
console.log(`\nfailed steps: ${failedSteps.length ? failedSteps.join("; ") : "none"}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
