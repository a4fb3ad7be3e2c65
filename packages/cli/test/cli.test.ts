import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, memorySink } from "@aral/core/logging";
import { createPlatform } from "@aral/adapter-node";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";

const platform = createPlatform();
const dir = mkdtempSync(join(tmpdir(), "aral-cli-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function aral(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(platform, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("aral check", () => {
  it("accepts the seed's JSONC example and prints the effective configuration with defaults", async () => {
    const path = file(
      "ok.jsonc",
      `{ "aral": { "version": "1.0" }, "layers": { "runtime": { "resources": { "cpu": { "limit": "2000m" } } } } } // ok`,
    );
    const result = await aral("check", path);
    expect(result.code).toBe(0);
    expect(result.out).toContain("valid ARAL manifest");
    expect(result.out).toContain('"shutdownTimeout": 10000');
  });

  it.runIf(process.platform === "linux" && process.getuid?.() === 0)(
    "names how each limit would be held on this host (root with cgroups: kernel), also in --json",
    async () => {
      const path = file(
        "limits.json",
        JSON.stringify({
          aral: { version: "1.0" },
          layers: { runtime: { resources: { cpu: { limit: "250m" }, memory: { limit: "128Mi" } } } },
        }),
      );
      const text = await aral("check", path);
      expect(text.out).toContain("resources.memory.limit: kernel");
      expect(text.out).toContain("resources.cpu.limit: kernel");
      expect(text.out).toContain("resources.pids.limit: kernel");
      expect(text.out).toContain("resources.cpu.request: unset");
      const parsed = JSON.parse((await aral("check", path, "--json")).out) as { enforcement: Record<string, string> };
      expect(parsed.enforcement).toMatchObject({
        memory: "kernel",
        cpuLimit: "kernel",
        pids: "kernel",
        containment: "cgroup",
      });
    },
  );

  it("lists every error with its field path, bad value and expectation, and exits 1", async () => {
    const path = file(
      "bad.yaml",
      `aral: { version: "1.0" }\nlayers:\n  runtime:\n    errorHandling: { maxRetries: 0 }\n    resources: { memory: { limit: 2GB } }\n`,
    );
    const result = await aral("check", path);
    expect(result.code).toBe(1);
    expect(result.err).toContain("2 problems");
    expect(result.err).toMatch(/layers\.runtime\.errorHandling\.maxRetries: .*got 0/);
    expect(result.err).toMatch(/layers\.runtime\.resources\.memory\.limit: .*got "2GB"/);
  });

  it("--json gives machines the issues", async () => {
    const path = file(
      "bad.json",
      JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { lifecycle: { shutdownTimeout: -5 } } } }),
    );
    const result = await aral("check", path, "--json");
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.out) as { ok: boolean; errors: { path: string; value: unknown }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors).toEqual([
      expect.objectContaining({ path: "layers.runtime.lifecycle.shutdownTimeout", value: -5 }),
    ]);
  });

  it("a syntax error names its line and column (text and --json); an override's issue names its variable", async () => {
    const path = file("syntax.yaml", 'aral:\n  version: "1.0"\nlayers:\n  runtime:\n    resources: [ { a: 1 }\n');
    const text = await aral("check", path);
    expect(text.code).toBe(1);
    expect(text.err).toMatch(/\(root\) at line 6, column 1: /);
    const json = JSON.parse((await aral("check", path, "--json")).out) as { errors: { line?: number }[] };
    expect(json.errors[0]).toMatchObject({ line: 6, column: 1 });
    process.env["ARAL_TASKS_CONCURRENCY"] = "abc";
    try {
      const fromVariable = await aral("check", file("ok-too.json", JSON.stringify({ aral: { version: "1.0" } })));
      expect(fromVariable.err).toContain("layers.runtime.tasks.concurrency [from ARAL_TASKS_CONCURRENCY]: ");
    } finally {
      delete process.env["ARAL_TASKS_CONCURRENCY"];
    }
  });

  it("a missing file is an error that names it, not a crash", async () => {
    const result = await aral("check", join(dir, "nope.yaml"));
    expect(result.code).toBe(1);
    expect(result.err).toContain("nope.yaml");
    expect(result.err).toMatch(/\(root\): cannot read the file: NotFound: readFile '.*nope\.yaml' failed: ENOENT/);
  });

  it("without a path prints usage and exits 2", async () => {
    expect((await aral("check")).code).toBe(2);
  });
});

describe("aral info / help / unknown", () => {
  it("info --json names the runtime and adapter", async () => {
    const result = await aral("info", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({
      runtime: "node",
      adapter: "@aral/adapter-node",
      version: process.versions.node,
    });
  });

  it("version, --version and -v print the version of package.json and deno.json", async () => {
    const { readFileSync } = await import("node:fs");
    const read = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, "..", name), "utf8")).version;
    for (const flag of ["version", "--version", "-v"]) {
      expect(await aral(flag)).toEqual({ code: 0, out: `aral ${read("package.json")}`, err: "" });
    }
    expect(read("deno.json")).toBe(read("package.json"));
  });

  it("a misspelt option or an argument too many exits 2 naming it, for every command (a script gets no surprise output)", async () => {
    const path = file("strict.json", JSON.stringify({ aral: { version: "1.0" } }));
    const cases: [string[], string][] = [
      [["check", path, "--jsn"], 'aral check: unknown option "--jsn"'],
      [["check", path, "other.json"], 'aral check: unexpected "other.json"'],
      [["check", "--json"], "aral check: missing <manifest>"],
      [["info", "--jsn"], 'aral info: unknown option "--jsn"'],
      [["info", "extra"], 'aral info: unexpected "extra"'],
      [["version", "--x"], 'aral version: unexpected "--x"'],
      [["audit", "verify"], "aral audit: missing <audit.log>"],
      [["audit", "check", path], 'aral audit: unknown subcommand "check"'],
      [["audit", "verify", path, "--key-file"], "aral audit: --key-file needs a value"],
      [["ps", "a", "b"], 'aral ps: unexpected "b"'],
      [["ps", "--fleet", "x", "--fleet", "y"], "aral ps: --fleet is given twice"],
      [["logs", "a", "--lines", "many"], 'aral logs: --lines needs a non-negative integer, got "many"'],
      // past what the fleet serves: said here (it was the fleet's refusal, exit 1, once one was running)
      [
        ["logs", "a", "-n", "99999999999999999999"],
        'aral logs: --lines needs a non-negative integer of at most 1000000, got "99999999999999999999"',
      ],
      [["logs", "a", "--tail"], 'aral logs: unknown option "--tail"'],
      [["stop", "a", "b"], 'aral stop: unexpected "b"'],
      [["down", "now"], 'aral down: unexpected "now"'],
      [["up", "a.json", "--detach"], 'aral up: unknown option "--detach"'],
    ];
    for (const [argv, message] of cases) {
      const result = await aral(...argv);
      expect({ argv, code: result.code, out: result.out }).toEqual({ argv, code: 2, out: "" });
      expect(result.err.split("\n")[0], argv.join(" ")).toContain(message);
      expect(result.err, argv.join(" ")).toContain("usage: aral ");
    }
    expect((await aral("check", path, "--json")).code).toBe(0);
  });

  it("--help (or -h) anywhere before -- prints the command's usage on stdout and exits 0", async () => {
    for (const argv of [
      ["check", "--help"],
      ["info", "-h"],
      ["ps", "web", "--help"],
      ["logs", "--help"],
      ["down", "-h"],
    ]) {
      const result = await aral(...argv);
      expect({ argv, code: result.code, err: result.err }).toEqual({ argv, code: 0, err: "" });
      expect(result.out).toMatch(new RegExp(`^usage: aral ${argv[0]} `));
    }
    expect((await aral("up", "--help")).out).toContain("Runs every agent of the fleet file");
    expect((await aral("run", "--runtime", "node", "--help")).out).toContain("Runs <entry> under node, deno or bun");
    expect((await aral("export", "kubernetes", "--help")).out).toContain("Prints what runs the agent of <file>");
  });

  it("run and export read their options the same way: a repeated option is refused, a list option is not", async () => {
    const path = file("export.json", JSON.stringify({ aral: { version: "1.0" } }));
    const twice = await aral("export", "kubernetes", "--manifest", path, "--kind", "statefulset", "--kind=deployment");
    expect(twice).toMatchObject({ code: 2, out: "" });
    expect(twice.err).toMatch(/^aral export: --kind is given twice\n/);
    const envs = await aral("export", "systemd", "--manifest", path, "--allow-env", "A_KEY", "--allow-env", "B_KEY");
    expect(envs.code, envs.err).toBe(0);
    expect(envs.out).toContain("A_KEY");
    expect(envs.out).toContain("B_KEY");
    const run = await aral("run", "--manifest", path, "--manifest", path, "agent.mjs");
    expect(run).toMatchObject({ code: 2, out: "" });
    expect(run.err).toMatch(/^aral run: --manifest is given twice\n/);
    expect((await aral("export", "--manifest", path)).err).toContain("missing the target (kubernetes or systemd)");
  });

  it("audit verify: a file it cannot read is named, with the reason", async () => {
    const result = await aral("audit", "verify", join(dir, "no-such.log"));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^aral audit: cannot read .*no-such\.log: NotFound: /);
    const keyless = await aral("audit", "verify", file("empty.log", ""), "--key-file", join(dir, "no-key"));
    expect(keyless.err).toMatch(/^aral audit: cannot read .*no-key: NotFound: /);
  });

  it("an unknown command exits 2 with usage", async () => {
    const result = await aral("frobnicate");
    expect(result.code).toBe(2);
    expect(result.err).toContain("unknown command 'frobnicate'");
  });
});

describe("aral check: bad input gets a bounded, readable answer", () => {
  it("a self-referencing YAML alias is a problem naming the path, not a crash (text and --json)", async () => {
    const path = file("self.yaml", 'aral: { version: "1.0" }\nlayers:\n  runtime: &r\n    self: *r\n');
    const text = await aral("check", path);
    expect(text.code).toBe(1);
    expect(text.err).toMatch(/layers\.runtime\.self: .*circular/);
    const json = await aral("check", path, "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      errors: [expect.objectContaining({ path: "layers.runtime.self" })],
    });
  });

  it("a 1 MB key and 5,000 unknown keys: output stays small and says how much was left out", async () => {
    const hugeKey = "k".repeat(1_000_000);
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown${i}`, i]));
    const path = file(
      "huge.json",
      JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { [hugeKey]: 1, ...many } } }),
    );
    const text = await aral("check", path);
    expect(text.code).toBe(1);
    expect(text.err.length).toBeLessThan(50_000);
    expect(text.err).toContain("… and 4951 more");
    const json = await aral("check", path, "--json");
    expect(json.out.length).toBeLessThan(100_000);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, omitted: 4951 });
  });
});

describe("aral audit verify", () => {
  it("accepts an intact chain and finds a tampered record", async () => {
    const sink = memorySink();
    const log = new AuditLog({ sink });
    await log.append("lifecycle.transition", { from: "created", to: "starting" });
    await log.append("resources.allocate", { memory: 1024 });
    await log.append("lifecycle.transition", { from: "starting", to: "running" });
    await log.flush();
    const intact = file("audit.log", `${sink.lines.join("\n")}\n`);
    expect((await aral("audit", "verify", intact)).code).toBe(0);
    const tampered = file("tampered.log", `${sink.lines.join("\n").replace('"memory":1024', '"memory":1')}\n`);
    const result = await aral("audit", "verify", tampered);
    expect(result.code).toBe(1);
    expect(result.err).toContain("broken at line 2");
  });
});

describe("aral audit verify: completeness and keyed mode", () => {
  async function writeLog(name: string, key?: Uint8Array) {
    const sink = memorySink();
    const log = new AuditLog({ sink, ...(key ? { key } : {}) });
    for (let i = 0; i < 4; i++) await log.append("lifecycle.transition", { step: i });
    await log.flush();
    return { path: file(name, `${sink.lines.join("\n")}\n`), lines: sink.lines, head: log.head };
  }

  it("an empty file is not verified complete (exit 1); a head anchor tells a truncated tail from a complete log", async () => {
    const empty = await aral("audit", "verify", file("empty.log", ""));
    expect(empty.code).toBe(1);
    expect(empty.out).toContain("NOT verified complete");
    const { lines, head } = await writeLog("full.log");
    const anchor = `${head.seq}:${head.hash}`;
    const truncated = file("truncated.log", `${lines.slice(0, 3).join("\n")}\n`);
    const unanchored = await aral("audit", "verify", truncated);
    expect(unanchored.code).toBe(0);
    expect(unanchored.out).toContain("NOT verified complete");
    const anchored = await aral("audit", "verify", truncated, "--expect-head", anchor);
    expect(anchored.code).toBe(1);
    expect(anchored.err).toMatch(/ends at seq 3 but the expected head is seq 4/);
    const cutMidLine = file("cut.log", lines.join("\n").slice(0, -10));
    expect((await aral("audit", "verify", cutMidLine)).code).toBe(1);
    const complete = await aral(
      "audit",
      "verify",
      file("complete.log", `${lines.join("\n")}\n`),
      "--expect-head",
      anchor,
    );
    expect([complete.code, complete.out]).toEqual([0, expect.stringContaining("intact and complete")]);
    expect((await aral("audit", "verify", truncated, "--expect-head", "nonsense")).code).toBe(2);
  });

  it("keyed mode: a forgery re-chained with plain SHA-256 fails with --key-file; the right key passes, a wrong one fails", async () => {
    const key = new TextEncoder().encode("0123456789abcdef-secret-key");
    const keyPath = file("audit.key", "0123456789abcdef-secret-key");
    const { path, lines } = await writeLog("keyed.log", key);
    expect((await aral("audit", "verify", path, "--key-file", keyPath)).code).toBe(0);
    expect((await aral("audit", "verify", path, "--key-file", file("wrong.key", "another-key-of-16+bytes"))).code).toBe(
      1,
    );
    // The forger rewrites record 2 and re-chains every hash without the key.
    const forged = memorySink();
    const forger = new AuditLog({ sink: forged });
    for (const [i, line] of lines.entries()) {
      const record = JSON.parse(line) as { type: string; data: Record<string, unknown> };
      await forger.append(record.type, i === 1 ? { step: 99 } : record.data);
    }
    await forger.flush();
    const forgedPath = file("forged.log", `${forged.lines.join("\n")}\n`);
    expect((await aral("audit", "verify", forgedPath)).code).toBe(0);
    const caught = await aral("audit", "verify", forgedPath, "--key-file", keyPath);
    expect(caught.code).toBe(1);
    expect(caught.err).toContain("broken at line 1");
    expect((await aral("audit", "verify", path, "--key-file", file("short.key", "short"))).code).toBe(2);
  });
});

describe("the built aral binary", () => {
  const bin = join(import.meta.dirname, "..", "dist", "bin.js");
  it.skipIf(!existsSync(bin))(
    "runs as a real process (skipped until `pnpm -r run build` has built dist/bin.js)",
    () => {
      const run = spawnSync(process.execPath, [bin, "info", "--json"], { encoding: "utf8" });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ runtime: "node" });
    },
  );
});
