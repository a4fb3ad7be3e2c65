// The npm build's entries re-export from one bundle (tsup.config.ts, src/bundle.ts). This checks the build against
// the sources: every entry, ESM and CJS, exports exactly the names its source does, and a class reached through two
// entries is one class. Runs Node on the build in a child (the unit tests themselves run the sources).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const subpaths = [
  "",
  "/tasks",
  "/resilience",
  "/health",
  "/metrics",
  "/logging",
  "/config",
  "/resources",
  "/lifecycle",
  "/workers",
];

const PROBE = `
import { createRequire } from "node:module";
const require = createRequire(process.cwd() + "/package.json");
const subpaths = ${JSON.stringify(subpaths)};
const out = {};
for (const subpath of subpaths) {
  const esm = await import("@aral/core" + subpath);
  const cjs = process.argv.includes("--cjs") ? require("@aral/core" + subpath) : esm;
  out[subpath] = { esm: Object.keys(esm).sort(), cjs: Object.keys(cjs).filter((k) => k !== "__esModule").sort() };
}
const root = await import("@aral/core");
const tasks = await import("@aral/core/tasks");
const config = await import("@aral/core/config");
out.sameClass = root.QueueFullError === tasks.QueueFullError && root.ConfigError === config.ConfigError;
console.log(JSON.stringify(out));
`;

type Probe = Record<string, { esm: string[]; cjs: string[] }> & { sameClass: boolean };
let probed: Probe | undefined;

/** One child for all tests: the build's export names per entry. */
function builtExports(): Probe {
  if (probed) return probed;
  // from packages/core: "@aral/core" resolves by self-reference
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", PROBE, "--", "--cjs"], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  probed = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Probe;
  return probed;
}

describe.skipIf(!existsSync(join(packageDir, "dist", "bundle.js")))(
  "@aral/core's build (skipped before `npm run build`)",
  () => {
    it("every entry exports the names of its source, in ESM and CJS, and one class through two entries", () => {
      const built = builtExports();
      for (const subpath of subpaths) {
        expect(built[subpath]!.esm.length, `@aral/core${subpath}`).toBeGreaterThan(0);
        expect(built[subpath]!.cjs, `@aral/core${subpath} (CJS)`).toEqual(built[subpath]!.esm);
      }
      expect(built.sameClass).toBe(true);
    });

    it.each(subpaths)("@aral/core%s: the build's ESM names are the source's", async (subpath) => {
      const built = builtExports();
      // the source entry through vitest's own loader
      const source = await import(
        join(packageDir, "src", subpath === "" ? "index.ts" : `${subpath.slice(1)}/index.ts`)
      );
      expect(built[subpath]!.esm).toEqual(Object.keys(source).sort());
    });

    it("a module the sources import() on first use and an entry exports is taken from the bundle itself, by names the bundle exports", async () => {
      const src = join(packageDir, "src");
      const exported = new Set<string>();
      for (const subpath of subpaths) {
        const entry = join(src, subpath === "" ? "index.ts" : `${subpath.slice(1)}/index.ts`);
        for (const [, specifier] of readFileSync(entry, "utf8").matchAll(
          /^export\s*\{[^}]*\}\s*from\s*"(\.[^"]+)"/gm,
        )) {
          exported.add(resolve(dirname(entry), specifier!));
        }
      }
      // `const { a, b: c } = await import("./x.ts")` and `(await import("./x.ts")).a`
      const lazy: { file: string; target: string; names: string[] }[] = [];
      const pattern = /(?:const\s*\{([^}]*)\}\s*=\s*)?\(?await import\("(\.[^"]+)"\)\)?(?:\.(\w+))?/g;
      for (const file of readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"))) {
        for (const [, destructured, specifier, member] of readFileSync(join(src, file), "utf8").matchAll(pattern)) {
          const target = resolve(dirname(join(src, file)), specifier!);
          if (!exported.has(target)) continue;
          const names = destructured ? destructured.split(",").map((n) => n.trim().split(/\s*:\s*/)[0]!) : [member!];
          lazy.push({ file, target, names: names.filter((n) => n) });
        }
      }
      expect(lazy.length, "the sources load some exported modules on first use").toBeGreaterThan(0);
      const bundleUrl = pathToFileURL(join(packageDir, "dist", "bundle.js")).href;
      const bundleNames = Object.keys(await import(bundleUrl));
      for (const { file, names } of lazy) {
        expect(names.length, file).toBeGreaterThan(0);
        for (const name of names) expect(bundleNames, `${name} (import() in ${file})`).toContain(name);
      }
      const built = readFileSync(join(packageDir, "dist", "bundle.js"), "utf8");
      expect(built.match(/import\("\.\/bundle\.js"\)/g)?.length ?? 0, "import()s of the bundle itself").toBe(
        lazy.length,
      );
    });
  },
);
