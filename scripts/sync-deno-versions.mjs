#!/usr/bin/env node
// JSR reads versions from deno.json, npm from package.json; changesets bumps only package.json. This copies each
// workspace member's package.json version into its deno.json (run after `changeset version`: npm run version-packages).
// With --check it changes nothing and exits 1 naming every member whose two versions differ (a step of npm test).
// The CLI's version constant (packages/cli/src/version.ts) is kept the same way.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./runtimes.mjs";

const check = process.argv.includes("--check");
const members = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).workspace;
const mismatched = [];
let synced = 0;
for (const member of members) {
  const pkg = JSON.parse(readFileSync(join(root, member, "package.json"), "utf8"));
  const denoPath = join(root, member, "deno.json");
  let denoText;
  try {
    denoText = readFileSync(denoPath, "utf8");
  } catch {
    continue; // a member without deno.json is not published to JSR
  }
  const deno = JSON.parse(denoText);
  if (pkg.private || deno.version === undefined) continue;
  if (deno.version === pkg.version) continue;
  if (check) {
    mismatched.push(`${member}: deno.json ${deno.version}, package.json ${pkg.version}`);
    continue;
  }
  // Replace the value in place, so the file keeps its layout.
  writeFileSync(denoPath, denoText.replace(/("version"\s*:\s*)"[^"]*"/, `$1${JSON.stringify(pkg.version)}`));
  console.log(`${member}/deno.json: ${deno.version} -> ${pkg.version}`);
  synced++;
}
// The CLI prints its version from a constant (packages/cli/src/version.ts): kept to package.json the same way.
const cliPackage = JSON.parse(readFileSync(join(root, "packages", "cli", "package.json"), "utf8"));
const versionPath = join(root, "packages", "cli", "src", "version.ts");
const versionText = readFileSync(versionPath, "utf8");
const cliConstant = /CLI_VERSION = "([^"]*)"/.exec(versionText)?.[1];
if (cliConstant !== cliPackage.version) {
  if (check)
    mismatched.push(`packages/cli/src/version.ts: CLI_VERSION ${cliConstant}, package.json ${cliPackage.version}`);
  else {
    writeFileSync(
      versionPath,
      versionText.replace(/(CLI_VERSION = )"[^"]*"/, `$1${JSON.stringify(cliPackage.version)}`),
    );
    console.log(`packages/cli/src/version.ts: ${cliConstant} -> ${cliPackage.version}`);
    synced++;
  }
}
if (check) {
  if (mismatched.length) {
    console.error(
      `deno.json versions differ from package.json (run: node scripts/sync-deno-versions.mjs):\n  ${mismatched.join("\n  ")}`,
    );
    process.exit(1);
  }
  console.log(`deno.json versions match package.json in every published member (${members.length} members)`);
} else if (!synced) {
  console.log("deno.json versions already match package.json");
}
