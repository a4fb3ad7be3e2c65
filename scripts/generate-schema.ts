/**
 * Writes packages/core/schema/manifest.schema.json from the manifest schema in packages/core/src/config/schema.ts (the one source).
 *   deno run -A scripts/generate-schema.ts      or      bun scripts/generate-schema.ts
 * `--check` exits 1 when the committed file is out of date instead of writing it.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestJsonSchemaText } from "../packages/core/src/config/json-schema.ts";

const target = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "packages",
  "core",
  "schema",
  "manifest.schema.json",
);
const text = manifestJsonSchemaText();
let current: string | undefined;
try {
  current = readFileSync(target, "utf8");
} catch {
  current = undefined;
}

if (
  globalThis.process?.argv.includes("--check") ||
  (globalThis as { Deno?: { args: string[] } }).Deno?.args.includes("--check")
) {
  if (current !== text) {
    console.error(`${target} is out of date: run scripts/generate-schema.ts`);
    globalThis.process?.exit(1);
  }
  console.log(`${target} is up to date`);
} else if (current === text) {
  console.log(`${target} unchanged`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
