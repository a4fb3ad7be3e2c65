// `aral check` given hostile manifests answers the same bounded, readable way on every runtime (issue #9, item 7):
// the built bin on Node, the sources on Deno and Bun, as real processes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtBin, deno, repo, sourceBin } from "./aral-command.ts";

const commands: Record<string, string[]> = {
  node: [process.execPath, builtBin],
  deno: [deno, "run", "-A", sourceBin],
  bun: [join(repo, "node_modules/.bin/bun"), "--conditions=source", sourceBin],
};

const dir = mkdtempSync(join(tmpdir(), "aral-check-runtimes-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const selfAlias = file("self.yaml", 'aral: { version: "1.0" }\nlayers:\n  runtime: &r\n    self: *r\n');
const hugeKeys = file(
  "huge.json",
  JSON.stringify({
    aral: { version: "1.0" },
    layers: {
      runtime: {
        ["k".repeat(1_000_000)]: 1,
        ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown${i}`, i])),
      },
    },
  }),
);
const deep = file(
  "deep.yaml",
  `aral: { version: "1.0" }\nlayers:\n  runtime:\n    x: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
);
const infinite = file(
  "infinite.yaml",
  'aral: { version: "1.0" }\nlayers:\n  runtime:\n    lifecycle:\n      shutdownTimeout: .inf\n',
);

/** A stack frame line: what a crash prints and an answer never does. */
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe.each(Object.keys(commands))("aral check on %s: bad input gets a bounded, readable answer", (runtime) => {
  const [command, ...args] = commands[runtime]!;
  const check = (...argv: string[]) =>
    spawnSync(command!, [...args, "check", ...argv], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      timeout: 60_000,
      maxBuffer: 256 * 1024 * 1024,
    });

  it("a self-referencing YAML alias names the path, as text and --json", () => {
    const text = check(selfAlias);
    expect(text.status, text.stderr).toBe(1);
    expect(text.stderr).toMatch(/layers\.runtime\.self: .*circular/);
    expect(text.stderr).not.toMatch(STACK);
    const json = check(selfAlias, "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      errors: [expect.objectContaining({ path: "layers.runtime.self" })],
    });
  });

  it("a 1 MB key and 5,000 unknown keys: the output stays small and says how much was left out", () => {
    const text = check(hugeKeys);
    expect(text.status).toBe(1);
    expect(text.stderr.length).toBeLessThan(50_000);
    expect(text.stderr).toContain("… and 4951 more");
    const json = check(hugeKeys, "--json");
    expect(json.stdout.length).toBeLessThan(100_000);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, omitted: 4951 });
  });

  it("5,000 nested levels with --json: a bounded answer, no crash", () => {
    const json = check(deep, "--json");
    expect(json.status, json.stderr.slice(0, 2000)).toBe(1);
    expect(json.stdout.length).toBeLessThan(100_000);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false });
    expect(json.stderr).not.toMatch(STACK);
  });

  it("Infinity is 'must be a finite number', naming the field", () => {
    const text = check(infinite);
    expect(text.status).toBe(1);
    expect(text.stderr).toMatch(/lifecycle\.shutdownTimeout.*finite/);
  });
});
