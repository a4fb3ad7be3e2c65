// The fallback where cgroups cannot be used, as a real user meets it: `aral` run as user nobody (setpriv), who
// may not create cgroups on this host. The supervisor must say so once, naming each limit kernel / sampled /
// not enforced (in its log, `aral ps` and `aral check`), still stop a memory hog by sampling, and reap the
// process group a SIGKILLed supervisor left behind.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aralCommand, until } from "./aral-command.ts";

const root = process.getuid?.() === 0;
const setpriv = spawnSync("setpriv", ["--version"]).status === 0;
const NOBODY = 65534;

const dir = mkdtempSync(join(tmpdir(), "aral-nocgroup-"));
chmodSync(dir, 0o755);
if (root) chownSync(dir, NOBODY, NOBODY); // nobody's HOME, TMPDIR and control directory live here
const controlDir = join(dir, "control");
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const manifest = file(
  "limits.json",
  JSON.stringify({
    aral: { version: "1.0" },
    layers: {
      runtime: {
        resources: { memory: { limit: "96Mi" }, cpu: { limit: "250m" } },
        errorHandling: { backoffMs: 10, maxBackoffMs: 20 },
        lifecycle: { shutdownTimeout: 1000 },
      },
    },
  }),
);
// Grows by 8 MiB every 100 ms towards 400 MiB, then idles: only the supervisor can stop it.
const hog = file(
  "hog.mjs",
  `const kept = []; let mb = 0;
setInterval(() => { if (mb >= 400) return; kept.push(Buffer.alloc(8 * 1024 * 1024, 1)); mb += 8; console.log("allocated " + mb + " MB"); }, 100);`,
);
// Leaves a grandchild in its process group, as agents that run tools do.
const leftover = file(
  "leftover.mjs",
  `import { spawn } from "node:child_process";
const sleeper = spawn("sleep", ["300"], { stdio: "ignore" });
console.log("ready pid=" + process.pid + " grandchild=" + sleeper.pid);
setInterval(() => {}, 1000);`,
);
const quick = file("quick.mjs", `console.log("quick agent ran");`);
const idle = file("idle.mjs", `console.log("idle ready"); setInterval(() => {}, 1000);`);

const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, TMPDIR: dir, ARAL_CONTROL_DIR: controlDir };

function asNobody(argv: string[]): {
  child: ChildProcess;
  output: { out: string; err: string };
  exited: Promise<number | null>;
} {
  const child = spawn(
    "setpriv",
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...aralCommand!, ...argv],
    { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = { out: "", err: "" };
  child.stdout!.on("data", (chunk: Buffer) => (output.out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output.err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};
const count = (text: string, part: string) => text.split(part).length - 1;

describe.skipIf(!aralCommand || !root || !setpriv || process.platform !== "linux")(
  "no cgroups: aral run by user nobody (skipped unless Linux, root, setpriv and Node 24 or the build: only root can become nobody)",
  () => {
    it("says once that cgroups are unusable, naming each limit; the sampled memory limit still stops a hog", async () => {
      const run = asNobody(["run", "--max-restarts", "1", "--manifest", manifest, hog]);
      const code = await run.exited;
      const { out, err } = run.output;
      // Two runs (one restart allowed), each stopped by sampling; then the crash loop: 128 + SIGTERM.
      expect(code, err).toBe(143);
      expect(count(err, "NOT kernel-enforced")).toBe(1);
      const warning = err.split("\n").find((line) => line.includes("NOT kernel-enforced"))!;
      expect(warning).toMatch(/no cgroups \(.+\)/);
      expect(warning).toContain("memory: sampled");
      expect(warning).toContain("cpu limit: not enforced");
      expect(warning).toContain("pids: not enforced");
      expect(count(err, `past its limit of ${96 * 1024 * 1024}`)).toBe(2);
      expect(err).toContain("crash loop");
      const allocated = [...out.matchAll(/allocated (\d+) MB/g)].map((match) => Number(match[1]));
      expect(allocated.length).toBeGreaterThan(0);
      expect(Math.max(...allocated)).toBeLessThan(400);
    }, 60_000);

    it("aral check names each limit as it would be held for this user", () => {
      const json = spawnSync(
        "setpriv",
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...aralCommand!, "check", "--json", manifest],
        { cwd: dir, env, encoding: "utf8", timeout: 30_000 },
      );
      expect(json.status, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).enforcement).toMatchObject({
        mechanism: "none",
        memory: "sampled",
        swap: "not enforced",
        cpuLimit: "not enforced",
        pids: "not enforced",
        containment: "process group",
      });
      const text = spawnSync(
        "setpriv",
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...aralCommand!, "check", manifest],
        { cwd: dir, env, encoding: "utf8", timeout: 30_000 },
      );
      expect(text.stdout).toContain("resources.memory.limit: sampled");
      expect(text.stdout).toContain("resources.cpu.limit: not enforced");
      expect(text.stdout).toContain("are NOT held by the kernel");
    }, 60_000);

    it("aral up says it once for two instances, and aral ps shows each limit and the warning", async () => {
      const fleetFile = file(
        "fleet.json",
        JSON.stringify({
          name: "nocgroup",
          logs: { dir: join(dir, "logs") },
          agents: [
            {
              name: "idle",
              runtime: "node",
              entry: idle,
              instances: 2,
              manifest,
              ready: { line: "idle ready" },
            },
          ],
        }),
      );
      const up = asNobody(["up", fleetFile]);
      try {
        await until("the fleet's start report", () =>
          up.output.err.includes("idle: 2 instance(s) ready") ? true : undefined,
        );
        expect(count(up.output.err, "NOT kernel-enforced"), up.output.err).toBe(1);
        const ps = (...args: string[]) =>
          spawnSync(
            "setpriv",
            [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...aralCommand!, "ps", ...args],
            { cwd: dir, env, encoding: "utf8", timeout: 30_000 },
          );
        const json = ps("--json", "--fleet", "nocgroup");
        expect(json.status, json.stderr).toBe(0);
        const instances = JSON.parse(json.stdout).instances as { enforcement: Record<string, string> }[];
        expect(instances).toHaveLength(2);
        for (const instance of instances)
          expect(instance.enforcement).toMatchObject({
            mechanism: "none",
            memory: "sampled",
            cpuLimit: "not enforced",
            pids: "not enforced",
          });
        const text = ps("--fleet", "nocgroup");
        expect(text.stdout).toContain("memory sampled, swap not enforced, cpu not enforced, pids not enforced");
        expect(count(text.stdout, "are NOT held by the kernel")).toBe(1);
      } finally {
        up.child.kill("SIGTERM");
        expect(await up.exited).toBe(0);
      }
    }, 90_000);

    it("the next aral run reaps the process group a SIGKILLed supervisor left behind (its watcher killed too)", async () => {
      const first = asNobody(["run", "--manifest", manifest, leftover]);
      const [agent, grandchild] = await until("the agent's ready line", () => {
        const match = /ready pid=(\d+) grandchild=(\d+)/.exec(first.output.out);
        return match ? [Number(match[1]), Number(match[2])] : undefined;
      });
      const records = join(controlDir, "instances");
      const record = await until("the run's process-group record", () =>
        existsSync(records)
          ? readdirSync(records)
              .map((name) => JSON.parse(readFileSync(join(records, name), "utf8")) as { pid: number; start: string })
              .find((entry) => entry.pid === agent)
          : undefined,
      );
      expect(record.start).toMatch(/^\d+$/);
      // The supervisor-death watcher is the agent's child in its session: kill it first, so that only the
      // reaping by the next supervisor can end the agent.
      const watchers = readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .filter((pid) => {
          try {
            const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
            return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === agent;
          } catch {
            return false;
          }
        })
        .map(Number)
        .filter((pid) => pid !== grandchild);
      expect(watchers.length).toBe(1);
      process.kill(watchers[0]!, "SIGKILL");
      first.child.kill("SIGKILL");
      await first.exited;
      await until("the watcher to be gone", () => (alive(watchers[0]!) ? undefined : true));
      expect(alive(agent)).toBe(true);
      expect(alive(grandchild)).toBe(true);

      const second = asNobody(["run", "--manifest", manifest, quick]);
      expect(await second.exited, second.output.err).toBe(0);
      expect(second.output.out).toContain("quick agent ran");
      expect(second.output.err).toContain(`reaped 1 process group(s) a dead supervisor left behind (${agent}: ended)`);
      await until("the leftover agent and its grandchild to be gone", () =>
        alive(agent) || alive(grandchild) ? undefined : true,
      );
      expect(readdirSync(records)).toEqual([]);
    }, 90_000);
  },
);
