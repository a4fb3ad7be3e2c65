// The conformance CLI as a third-party adapter author meets it (built JS, under Node): an async createPlatform is
// awaited, --list names every capability once, an unknown --skip is a usage error naming the capability.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CAPABILITIES } from "../src/harness/capabilities.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, "conformance/dist/cli.js");
const nodeAdapter = pathToFileURL(join(root, "adapters/node/dist/index.js")).href;
const dir = mkdtempSync(join(tmpdir(), "aral-conformance-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function conformance(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("aral-conformance (built CLI, needs npm run build)", () => {
  it("awaits an async createPlatform and runs the cases against what it resolves to", () => {
    const adapter = join(dir, "async-adapter.mjs");
    writeFileSync(
      adapter,
      `export async function createPlatform() {\n  await new Promise((resolve) => setTimeout(resolve, 1));\n  return (await import(${JSON.stringify(nodeAdapter)})).createPlatform();\n}\n`,
    );
    const run = conformance("--adapter", adapter, "--filter", "env:");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^ok 1 - \[contract\] env: /m);
    expect(run.out).toMatch(/^(\d+) passed, 0 failed$/m);
    expect(Number(/^(\d+) passed/m.exec(run.out)?.[1])).toBeGreaterThan(0);
  });

  it("an adapter whose async createPlatform rejects fails the run with the reason", () => {
    const adapter = join(dir, "rejecting-adapter.mjs");
    writeFileSync(adapter, `export async function createPlatform() { throw new Error("no runtime here"); }\n`);
    const run = conformance("--adapter", adapter, "--filter", "env:");
    expect(run.code).not.toBe(0);
    expect(`${run.out}${run.err}`).toContain("no runtime here");
  });

  it("--list names every capability exactly once, contract before integration", () => {
    const run = conformance("--list");
    expect(run.code).toBe(0);
    expect(new Set(CAPABILITIES).size).toBe(CAPABILITIES.length);
    expect(run.out.indexOf("# contract")).toBeLessThan(run.out.indexOf("# integration"));
  });

  it("an unknown --skip is a usage error (exit 2) naming the capability", () => {
    const run = conformance("--adapter", nodeAdapter, "--skip", "fs.stremas");
    expect(run.code).toBe(2);
    expect(run.err).toContain('unknown capability "fs.stremas"');
  });
});
