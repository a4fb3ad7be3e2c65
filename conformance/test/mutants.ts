/**
 * Proves the suite can fail: runs it in-process against every mutant adapter in ./mutants (each the
 * correct adapter of this runtime with exactly one contract rule broken) and against the correct
 * adapter. Every mutant must fail at least one case; the correct adapter must pass all of them.
 *
 *   deno run -A conformance/test/mutants.ts [--full] [name-substring]
 *   bun --conditions=source conformance/test/mutants.ts …
 *   node --conditions=source conformance/test/mutants.ts …   (Node ≥ 22.18 / 24)
 *
 * A mutant may export `focus` (a case-name or capability substring) so only the cases about its
 * area run, and its run stops at the first failed case (one is all it takes; a hanging mutant would
 * otherwise wait out every case's timeout); --full runs the whole suite, every case, against every mutant.
 */
import { hostArgs } from "../src/host.ts";
import { runConformance } from "../src/index.ts";
import { correctAdapterPath, correctPlatform } from "./mutants/_correct.ts";

const args = hostArgs();
const full = args.includes("--full");
const only = args.find((a) => !a.startsWith("--"));
const platform = correctPlatform();
const mutantsDir = decodeURIComponent(new URL("./mutants/", import.meta.url).pathname);

const names = (await platform.fs.readDir(mutantsDir))
  .map((e) => e.name)
  .filter((n) => n.endsWith(".ts") && !n.startsWith("_"))
  .map((n) => n.slice(0, -3))
  .filter((n) => only === undefined || n.includes(only))
  .sort();

let passed = 0;
let failed = 0;
const report = (good: boolean, line: string) => {
  if (good) passed++;
  else failed++;
  console.log(`${good ? "ok" : "not ok"} ${line}`);
};

if (only === undefined || "correct".includes(only)) {
  const result = await runConformance({ adapter: correctAdapterPath, output: () => {} });
  const bad = result.results.filter((r) => r.outcome === "failed");
  report(
    bad.length === 0,
    `correct adapter (${correctAdapterPath}) — ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped${bad.map((r) => `\n#   ${r.name}: ${r.message}`).join("")}`,
  );
}

for (const name of names) {
  const path = `${mutantsDir}${name}.ts`;
  const started = performance.now();
  try {
    const module = (await import(new URL(`./mutants/${name}.ts`, import.meta.url).href)) as { focus?: string };
    const result = await runConformance({
      adapter: path,
      output: () => {},
      ...(full || !module.focus ? {} : { filter: module.focus, bail: true }),
    });
    const failedCases = result.results.filter((r) => r.outcome === "failed").map((r) => r.name);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    report(
      failedCases.length > 0,
      `${name} — failed cases: ${failedCases.length > 0 ? failedCases.join("; ") : "NONE (the suite did not notice this mutant)"} [${result.results.length} run, ${seconds} s]`,
    );
  } catch (error) {
    report(false, `${name} — could not run: ${(error as Error)?.message ?? String(error)}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
platform.process.exit(failed > 0 ? 1 : 0);
