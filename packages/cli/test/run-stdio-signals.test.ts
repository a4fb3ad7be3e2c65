// `aral run` as a real process on Node, Deno and Bun, its stdout a real pipe and its signals real ones:
// a slow reader still gets every line; a reader that goes away (EPIPE) stops the agent quietly (exit 141);
// SIGHUP stops the agent gracefully; an agent a signal killed gives 128 + the signal's number.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aralCommand, deno, repo, sourceBin, until } from "./aral-command.ts";

const bun = join(repo, "node_modules/bun/bin/bun.exe");
const commands: [string, string[] | undefined][] = [
  ["node", aralCommand],
  ["deno", existsSync(deno) ? [deno, "run", "-A", sourceBin] : undefined],
  ["bun", existsSync(bun) ? [bun, "--conditions=source", sourceBin] : undefined],
];

const dir = mkdtempSync(join(tmpdir(), "aral-run-stdio-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const fastManifest = file(
  "fast.json",
  JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { lifecycle: { shutdownTimeout: 2000 } } } }),
);
// 2,000 lines of ~200 bytes, then the last one: far more than a pipe holds
const burst = file(
  "burst.mjs",
  `const line = "x".repeat(200);
for (let i = 0; i < 2000; i++) console.log(i + " " + line);
console.log("LAST LINE");`,
);
const ticker = file(
  "ticker.mjs",
  `process.on("SIGTERM", () => { console.error("agent got SIGTERM"); process.exit(0); });
console.log("ready pid=" + process.pid);
let i = 0;
setInterval(() => console.log("tick " + i++), 20);`,
);
const graceful = file(
  "graceful.mjs",
  `process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(0); });
console.log("ready pid=" + process.pid);
setInterval(() => {}, 1000);`,
);
const selfKill = file("self-kill.mjs", "process.kill(process.pid, process.argv[2]);");

/** A stack frame line: what a crash prints and a quiet exit never does. */
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const gone = (pid: number) => !existsSync(`/proc/${pid}`);

/** `aral ...` as a real process; stdout is read once `readStdout()` or `readStdoutSlowly()` is called. */
function spawnAral(command: string[], argv: string[], opts: { coreLimit?: boolean } = {}) {
  const [file, ...args] = opts.coreLimit
    ? ["sh", "-c", 'ulimit -c 0; exec "$@"', "sh", ...command, ...argv] // no core file from the agent
    : [...command, ...argv];
  const child = spawn(file!, args, {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  // the pipe's end of stdout is closed only once its data has all been read
  const stdoutDone = new Promise<void>((resolve) => child.stdout.once("close", () => resolve()));
  return {
    child,
    exited,
    readStdout: () => child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString())),
    /** A reader slower than the agent writes: `bytes` every `everyMs` (the rest once the pipe has ended). */
    readStdoutSlowly: (bytes: number, everyMs: number) => {
      // a 'readable' listener keeps the stream paused: without one, Node resumes (and discards) it at the exit
      child.stdout.on("readable", () => {});
      const reader = setInterval(() => {
        const chunk = child.stdout.read(bytes) as Buffer | null;
        if (chunk) out += chunk.toString();
      }, everyMs);
      child.stdout.once("end", () => clearInterval(reader));
    },
    stdoutDone,
    output: () => ({ out, err }),
  };
}

const agentPid = (text: string): number | undefined => {
  const match = /pid=(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
};

describe.each(commands)("aral run on %s: output and signals", (_runtime, command) => {
  it.skipIf(command === undefined)(
    "a reader slower than the agent still gets every line before aral exits (exit 0)",
    async () => {
      const aral = spawnAral(command!, ["run", "--runtime", "node", burst]);
      // 8 KiB every 20 ms: the agent is done in a moment, the reader needs about a second; aral exiting when the
      // agent has (Node and Bun queue what the pipe cannot take yet) dropped most of it
      aral.readStdoutSlowly(8192, 20);
      const { code } = await aral.exited;
      await aral.stdoutDone;
      const lines = aral.output().out.split("\n").filter(Boolean);
      expect(code, aral.output().err).toBe(0);
      expect(lines.length).toBe(2001);
      expect(lines.at(-1)).toBe("LAST LINE");
    },
    60_000,
  );

  it.skipIf(command === undefined)(
    "the reader going away (EPIPE) stops the agent gracefully; aral exits 141 quietly",
    async () => {
      const aral = spawnAral(command!, ["run", "--runtime", "node", "--manifest", fastManifest, ticker]);
      aral.readStdout();
      const pid = await until("the agent's ready line", () => agentPid(aral.output().out));
      aral.child.stdout.destroy(); // the reader goes away, as `| head -1` does once it has its line
      const { code } = await aral.exited;
      const { err } = aral.output();
      expect(code, err).toBe(141);
      expect(err).toContain("aral run: the reader of the output went away (EPIPE), stopping the agent");
      expect(err).toContain("agent got SIGTERM");
      expect(err).not.toMatch(STACK);
      expect(err).not.toContain("Error");
      expect(gone(pid)).toBe(true);
    },
    60_000,
  );

  it.skipIf(command === undefined)(
    "SIGHUP (a closed terminal) stops the agent gracefully; aral exits with the agent's code",
    async () => {
      const aral = spawnAral(command!, ["run", "--runtime", "node", "--manifest", fastManifest, graceful]);
      aral.readStdout();
      const pid = await until("the agent's ready line", () => agentPid(aral.output().out));
      aral.child.kill("SIGHUP");
      const { code, signal } = await aral.exited;
      expect({ code, signal }, aral.output().err).toEqual({ code: 0, signal: null });
      expect(aral.output().out).toContain("child got SIGTERM");
      expect(aral.output().err).toContain("aral run: SIGHUP received, stopping the agent");
      expect(gone(pid)).toBe(true);
    },
    60_000,
  );

  it.skipIf(command === undefined)(
    "an agent killed by SIGABRT or SIGSEGV: aral exits 134 or 139, as a shell reports it",
    async () => {
      for (const [signal, expected] of [
        ["SIGABRT", 134],
        ["SIGSEGV", 139],
      ] as const) {
        const aral = spawnAral(command!, ["run", "--runtime", "node", "--max-restarts", "0", selfKill, signal], {
          coreLimit: true,
        });
        aral.readStdout();
        const { code } = await aral.exited;
        expect(code, aral.output().err).toBe(expected);
        expect(aral.output().err).toContain(`signal ${signal}`);
      }
    },
    60_000,
  );
});

// 64 MiB in 1 KiB lines as fast as the pipe to aral takes them, then "wrote-all" on stderr; it stays up until SIGTERM.
const flood = file(
  "flood.mjs",
  `process.on("SIGTERM", () => process.exit(0));
const line = "x".repeat(1023);
let n = 0;
(function pump() {
  while (n < 65536) { n++; if (!process.stdout.write(line + "\\n")) return process.stdout.once("drain", pump); }
  console.error("wrote-all");
  setInterval(() => {}, 1000);
})();`,
);
const idle = file(
  "idle.mjs",
  `process.on("SIGTERM", () => process.exit(0)); console.error("wrote-all"); setInterval(() => {}, 1000);`,
);

/** aral's peak resident memory (KiB) once its agent has written everything, its reader having paused for `pauseMs`. */
async function peakMemoryKiB(agent: string, pauseMs: number): Promise<number> {
  const aral = spawnAral(aralCommand!, ["run", "--runtime", "node", "--manifest", fastManifest, agent]);
  // the reader pauses (as `| less` does at a full screen), then reads everything
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  let bytes = 0;
  aral.child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
  await until("the agent's last write", () => (aral.output().err.includes("wrote-all") ? true : undefined), 60_000);
  const status = (await import("node:fs")).readFileSync(`/proc/${aral.child.pid}/status`, "utf8");
  aral.child.kill("SIGTERM");
  await aral.exited;
  if (agent === flood) expect(bytes).toBe(64 * 1024 * 1024);
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]);
}

describe("aral run paces the agent by its own reader", () => {
  it.skipIf(aralCommand === undefined || process.platform !== "linux")(
    "a reader that pauses holds the agent's writes back, not a growing copy of them in aral's memory (peak within 32 MiB of an idle agent's, for 64 MiB written)",
    async () => {
      const idlePeak = await peakMemoryKiB(idle, 0);
      const floodPeak = await peakMemoryKiB(flood, 2_000);
      expect(floodPeak - idlePeak, `peak ${floodPeak} KiB vs ${idlePeak} KiB idle`).toBeLessThan(32 * 1024);
    },
    120_000,
  );
});

describe("output that cannot be written (stdout on a full disk: > /dev/full), on each runtime", () => {
  for (const [runtime, command] of commands) {
    it.skipIf(command === undefined || !existsSync("/dev/full"))(
      `${runtime}: aral export and aral info exit 1 and say so on stderr (they exited 0 with nothing written)${command === undefined ? " (skipped: runtime not installed)" : ""}`,
      () => {
        for (const argv of [["export", "kubernetes", "--manifest", fastManifest], ["info"]]) {
          const full = openSync("/dev/full", "w");
          try {
            const run = spawnSync(command![0]!, [...command!.slice(1), ...argv], {
              cwd: repo,
              env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
              stdio: ["ignore", full, "pipe"],
              encoding: "utf8",
              timeout: 60_000,
            });
            expect({ argv, status: run.status }).toEqual({ argv, status: 1 });
            expect(run.stderr).toMatch(/^aral: cannot write to stdout: ENOSPC; the output is incomplete$/m);
            expect(run.stderr).not.toMatch(STACK);
          } finally {
            closeSync(full);
          }
        }
      },
    );
  }
});
