// The example agent under `aral run`, as an operator runs it: with their manifest, or with none on Deno (whose
// permissions then let it read no manifest file at all).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aralCommand, deno, repo, until } from "./aral-command.ts";

const dir = mkdtempSync(join(tmpdir(), "aral-run-example-"));
const bin = join(dir, "bin");
mkdirSync(bin);
symlinkSync(deno, join(bin, "deno"));
const example = join(repo, "examples", "agent.ts");
const quiet = join(dir, "quiet.json");
writeFileSync(
  quiet,
  JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { logging: { level: "error" } } } }),
);

/** `aral run ...` as a real process until it has printed a thought; then SIGINT, and its exit code and output. */
async function runUntilThought(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const [file, ...args] = [...aralCommand!, ...argv];
  const child = spawn(file!, args, {
    cwd: dir,
    env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}`, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  try {
    await until(
      "the example's first thought",
      () => {
        if (ended) throw new Error(`aral run ended before a thought:\n${out}\n${err}`);
        return out.includes("thought: ") ? true : undefined;
      },
      60_000,
    );
  } finally {
    child.kill("SIGINT");
  }
  return { code: await exited, out, err };
}

describe.skipIf(aralCommand === undefined)("the example agent under aral run", () => {
  it("Deno without --manifest: it runs on the defaults (it read its own manifest file and crash-looped on the permission)", async () => {
    const { code, out, err } = await runUntilThought(["run", "--runtime", "deno", "--max-restarts", "0", example]);
    expect(err).not.toMatch(/PermissionDenied|crash loop/);
    expect(out).toContain("[agent deno] ready");
    expect(code).toBe(0);
  }, 90_000);

  it("with --manifest: the operator's manifest is the one in effect, not the file beside the agent", async () => {
    const { code, out } = await runUntilThought([
      "run",
      "--runtime",
      "node",
      "--manifest",
      quiet,
      "--max-restarts",
      "0",
      example,
    ]);
    expect(out).toContain("[agent node] ready");
    // logging.level "error" in the operator's manifest: none of the runtime's info lines
    expect(out).not.toContain('"event":"lifecycle.transition"');
    expect(code).toBe(0);
  }, 90_000);
});
