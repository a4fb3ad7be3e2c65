#!/usr/bin/env node
// Do the published types compile in a stock Node project? Lays out .tmp/consumer-types as an npm user's project
// (node_modules links to each package, as npm would install it), writes a consumer that imports every entry point of
// every package, and compiles it with @tsconfig/node20 and skipLibCheck: false (each package's built .d.ts checked).
// Run after the build; the libs a consumer needs beyond @tsconfig/node20 are the ones the READMEs name.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { root } from "./runtimes.mjs";

const packageDirs = [
  "packages/platform",
  "packages/core",
  "packages/supervisor",
  "packages/aral",
  "packages/cli",
  "adapters/node",
  "conformance",
];
const dir = join(root, ".tmp", "consumer-types");
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
symlinkSync(join(root, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));

const lines = [];
for (const pkgDir of packageDirs) {
  const pkg = JSON.parse(readFileSync(join(root, pkgDir, "package.json"), "utf8"));
  const link = join(dir, "node_modules", pkg.name);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(join(root, pkgDir), link);
  for (const subpath of Object.keys(pkg.exports ?? { ".": "" })) {
    // data files (package.json, the manifest's JSON Schema) are not modules to re-export
    if (subpath.endsWith(".json")) continue;
    const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    lines.push(`export * as m${lines.length} from "${specifier}";`);
  }
}
lines.push(`import { AralRuntime, ResourceLimitError } from "aral";`);
lines.push(`export const runtime: AralRuntime = new AralRuntime({ resources: { memory: { limit: "100Mi" } } });`);
lines.push(`export const isLimit = (error: unknown): boolean => error instanceof ResourceLimitError;`);
writeFileSync(join(dir, "consumer.ts"), `${lines.join("\n")}\n`);
writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify({
    extends: join(root, "node_modules", "@tsconfig", "node20", "tsconfig.json"),
    compilerOptions: { skipLibCheck: false, noEmit: true },
    files: ["consumer.ts"],
  }),
);
console.log(`consumer.ts imports ${lines.length - 3} entry points of ${packageDirs.length} packages`);
const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {
  encoding: "utf8",
});
process.stdout.write(tsc.stdout + tsc.stderr);
console.log(tsc.status === 0 ? "types compile under @tsconfig/node20 with skipLibCheck: false" : "type errors (above)");
process.exit(tsc.status ?? 1);
