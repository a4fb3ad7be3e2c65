import { describe, expect, it } from "vitest";
import { createPlatform } from "../../adapters/node/src/index.ts";
import { defineCases } from "../src/harness/case.ts";
import { runCases } from "../src/harness/runner.ts";

const cases = defineCases([
  { name: "first passes", capability: "fs", async run() {} },
  {
    name: "second fails",
    capability: "fs",
    async run() {
      throw new Error("broken on purpose");
    },
  },
  {
    name: "third fails too",
    capability: "fs",
    async run() {
      throw new Error("also broken");
    },
  },
]);

describe("runCases", () => {
  it("runs every case by default, failures included", async () => {
    const lines: string[] = [];
    const summary = await runCases(cases, {
      platform: createPlatform(),
      adapter: "node",
      output: (l) => lines.push(l),
    });
    expect(summary.results.map((r) => r.outcome)).toEqual(["passed", "failed", "failed"]);
    expect(lines.some((l) => l.startsWith("Bail out!"))).toBe(false);
  });

  it("bail stops at the first failed case and says how many were not run", async () => {
    const lines: string[] = [];
    const summary = await runCases(cases, {
      platform: createPlatform(),
      adapter: "node",
      output: (l) => lines.push(l),
      bail: true,
    });
    expect(summary.results.map((r) => r.name)).toEqual(["first passes", "second fails"]);
    expect(summary).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
    expect(lines).toContain("Bail out! stopped at the first failure (1 cases not run)");
  });
});
