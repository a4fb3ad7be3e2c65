#!/usr/bin/env node
// The code an agent loads is ASCII: the TypeScript sources of every package and adapter (what Deno runs, what the
// build bundles) and the built JavaScript (what Node and Bun run). A runtime holds a module's source as one-byte
// characters only when every character is ASCII (Latin-1); one "—" in a comment makes the whole module two-byte,
// which costs decoding, scanning and V8's code cache: `import("aral")` on Deno was ~18 ms of CPU slower with the
// sources as they were (docs/design-notes.md). Comments say "->", "...", ">="; a string that must print a
// non-ASCII character spells it as an escape ("\u2192"), which prints the same.
//   node scripts/check-ascii.mjs        exits 1 naming each file, line and character
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { root } from "./runtimes.mjs";

const roots = ["packages", "adapters"];
const checked = [
  { dir: "src", extensions: [".ts"] },
  { dir: "dist", extensions: [".js", ".cjs", ".mjs"] },
];

function* files(dir, extensions) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // no dist before a build
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path, extensions);
    else if (extensions.some((extension) => entry.name.endsWith(extension))) yield path;
  }
}

const problems = [];
let count = 0;
for (const group of roots) {
  for (const member of readdirSync(join(root, group))) {
    for (const { dir, extensions } of checked) {
      for (const file of files(join(root, group, member, dir), extensions)) {
        count++;
        const lines = readFileSync(file, "utf8").split("\n");
        lines.forEach((line, index) => {
          const found = /[^\x00-\x7F]/.exec(line);
          if (found) {
            const code = found[0].codePointAt(0).toString(16).padStart(4, "0");
            problems.push(
              `${relative(root, file)}:${index + 1}: "${found[0]}" (U+${code}) in: ${line.trim().slice(0, 100)}`,
            );
          }
        });
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`${problems.length} non-ASCII line(s) in code an agent loads:\n${problems.join("\n")}`);
  console.error('Comments: write ASCII ("->", "...", ">="). Strings: an escape ("\\u2192") prints the same.');
  process.exit(1);
}
console.log(`${count} source and built files are ASCII`);
