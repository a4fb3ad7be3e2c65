#!/usr/bin/env node
/**
 * Benchmark (not a test): what `import("aral")` costs at process start, per runtime — CPU (user + system)
 * and peak RSS of a process that imports it, minus the same runtime running an empty module, side by side
 * in alternating runs (median of BENCH_RUNS, default 9). Node 24 and Bun load the tsup build (what npm users
 * get; built here when missing), Deno the TypeScript sources (what JSR users get). Linux: CPU from bash's `time`, peak RSS from /usr/bin/time.
 *   node scripts/bench/import.mjs
 * Goal: ≤ 60 ms CPU and ≤ 12 MiB peak RSS over the bare runtime, on each runtime.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, runtimes } from "../runtimes.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const GOAL_MS = 60;
const GOAL_MIB = 12;

function ensureBuilt() {
  for (const dir of ["packages/core", "adapters/node", "adapters/bun", "packages/aral"]) {
    if (!existsSync(join(root, dir, "dist", "index.js")) && !existsSync(join(root, dir, "dist", "node.js"))) {
      spawnSync(join(root, "node_modules", ".bin", "tsup"), [], { cwd: join(root, dir), stdio: "ignore" });
    }
  }
}

const plans = {
  node24: (script) => ({ exec: runtimes.node24.exec, args: [script], cwd: join(root, "packages", "aral") }),
  deno: (script) => ({ exec: runtimes.deno.exec, args: ["run", "-A", script], cwd: root }),
  bun: (script) => ({ exec: runtimes.bun.exec, args: [script], cwd: join(root, "packages", "aral") }),
};

/** Node and Bun resolve "aral" by self-reference from inside packages/aral: the script is written there as .mjs. */
function script(rt, name) {
  if (rt !== "deno") return join(root, "packages", "aral", `.bench-${name}.mjs`);
  return join(root, "scripts", "bench", `${name}.ts`);
}

/**
 * CPU to the millisecond from bash's `time` (getrusage of the child; /usr/bin/time prints only hundredths, so
 * figures moved in 10 ms steps), peak RSS from /usr/bin/time inside it. Both runs carry /usr/bin/time's own ~1 ms.
 */
function measure(plan) {
  const dir = mkdtempSync(join(tmpdir(), "aral-import-"));
  const out = join(dir, "rss");
  const timed = 'TIMEFORMAT="cpu %3U %3S"; time /usr/bin/time -o "$0" -f %M "$@" >/dev/null';
  const run = spawnSync("bash", ["-c", timed, out, plan.exec, ...plan.args], { cwd: plan.cwd, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${plan.exec} ${plan.args.join(" ")} failed: ${run.stderr}`);
  const [user, system] = /^cpu (\S+) (\S+)$/m.exec(run.stderr).slice(1).map(Number);
  const maxKiB = Number(readFileSync(out, "utf8").trim().split("\n").at(-1));
  rmSync(dir, { recursive: true, force: true });
  return { cpuMs: (user + system) * 1000, rssMiB: maxKiB / 1024 };
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

ensureBuilt();
const { writeFileSync } = await import("node:fs");
writeFileSync(script("node24", "import-aral"), `await import("aral");\n`);
writeFileSync(script("node24", "import-bare"), "export {};\n");
const goals = [];
try {
  for (const rt of ["node24", "deno", "bun"]) {
    const bare = [];
    const aral = [];
    measure(plans[rt](script(rt, "import-aral"))); // warm the disk cache and Deno's transpile cache
    for (let i = 0; i < RUNS; i++) {
      bare.push(measure(plans[rt](script(rt, "import-bare"))));
      aral.push(measure(plans[rt](script(rt, "import-aral"))));
    }
    const cpu = { bare: median(bare.map((m) => m.cpuMs)), aral: median(aral.map((m) => m.cpuMs)) };
    const rss = { bare: median(bare.map((m) => m.rssMiB)), aral: median(aral.map((m) => m.rssMiB)) };
    const extraCpu = cpu.aral - cpu.bare;
    const extraRss = rss.aral - rss.bare;
    console.log(
      `${runtimes[rt].label.padEnd(8)} bare ${cpu.bare.toFixed(0).padStart(4)} ms CPU ${rss.bare.toFixed(1).padStart(6)} MiB   import("aral") ${cpu.aral.toFixed(0).padStart(4)} ms CPU ${rss.aral.toFixed(1).padStart(6)} MiB   → +${extraCpu.toFixed(0)} ms, +${extraRss.toFixed(1)} MiB`,
    );
    const met = extraCpu <= GOAL_MS && extraRss <= GOAL_MIB;
    goals.push(
      `import("aral") on ${runtimes[rt].label}: +${extraCpu.toFixed(0)} ms CPU, +${extraRss.toFixed(1)} MiB peak RSS over the bare runtime (goal ≤ ${GOAL_MS} ms, ≤ ${GOAL_MIB} MiB) ${met ? "MET" : "NOT MET"}`,
    );
  }
} finally {
  rmSync(script("node24", "import-aral"), { force: true });
  rmSync(script("node24", "import-bare"), { force: true });
}
console.log(`\n${goals.join("\n")}`);
