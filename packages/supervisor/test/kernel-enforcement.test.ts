import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { systemClock } from "@aral/platform";
import { detectCgroups } from "../src/cgroup/detect.ts";
import { reapLeftoverCgroups } from "../src/cgroup/reap.ts";
import { AGENT_RUNTIME_NAMES, AGENT_RUNTIMES, agentEnv, bunBinary, type AgentRuntime } from "./agents.ts";
import { fixture, platform, supervise } from "./helpers.ts";

const MiB = 1024 * 1024;
// Four runtimes at once on a shared, loaded box: generous per-test deadlines (each test polls for its own event).
vi.setConfig({ testTimeout: 90_000 });

/** Why the kernel tests cannot run here, or undefined when they can (root and a cgroup hierarchy with memory). */
async function cgroupsUnavailable(): Promise<string | undefined> {
  if (process.platform !== "linux") return `cgroups are Linux-only (this is ${process.platform})`;
  if (process.getuid?.() !== 0)
    return "creating cgroups needs root (or a delegated subtree); these tests run as root in CI";
  const detection = await detectCgroups(platform);
  return "unusable" in detection ? detection.unusable : undefined;
}
const unavailable = await cgroupsUnavailable();
const host = unavailable
  ? undefined
  : ((await detectCgroups(platform)) as { host: Parameters<typeof reapLeftoverCgroups>[2] }).host;

function superviseAgent(
  runtime: AgentRuntime,
  mode: string,
  overrides: Parameters<typeof supervise>[1] = {},
  extraEnv: Record<string, string> = {},
) {
  const { command, args } = AGENT_RUNTIMES[runtime];
  return supervise("unused", {
    command,
    args: [...args],
    env: agentEnv(mode, extraEnv),
    name: `${runtime}-${mode}`,
    ...overrides,
  });
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until(what: string, condition: () => boolean, timeoutMs: number, stepMs = 25): Promise<number> {
  const began = performance.now();
  while (!condition()) {
    if (performance.now() - began > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return performance.now() - began;
}

/** A supervisor in a process of its own (fixtures/supervise-agent.ts) running `spec`, once its output matches `ready`. */
async function supervisorProcess(spec: object, ready: RegExp, options: { detached?: boolean } = {}) {
  const supervisor = spawn(bunBinary, ["--conditions=source", fixture("supervise-agent.ts"), JSON.stringify(spec)], {
    stdio: ["ignore", "pipe", "inherit"],
    ...options,
  });
  let output = "";
  supervisor.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until(`supervisor output matching ${ready}`, () => ready.test(output), 20_000);
  return { supervisor, output: () => output };
}

/** CPU time of one process so far, in seconds (first field of /proc/<pid>/schedstat is nanoseconds on a CPU). */
function cpuSeconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
}

describe.skipIf(unavailable !== undefined)(
  `kernel-enforced limits per instance (cgroups)${unavailable ? ` — skipped: ${unavailable}` : ""}`,
  () => {
    it.concurrent.each(AGENT_RUNTIME_NAMES)(
      "%s: 400 MB under a 128Mi limit — held at the limit, OOM-killed by the kernel, reported oom-killed, restarted per policy",
      async (runtime) => {
        const limit = 128 * MiB;
        const run = superviseAgent(runtime, "hog", {
          memoryLimitBytes: limit,
          sampleIntervalMs: 50,
          restart: { maxRestarts: 1, windowMs: 60_000, backoffMs: 10, maxBackoffMs: 10 },
        });
        run.supervisor.start();
        const outcome = await run.supervisor.finished();

        expect(run.supervisor.enforcement).toMatchObject({ memory: "kernel", containment: "cgroup" });
        expect(run.supervisor.enforcement!.mechanism).toMatch(/^cgroup v[12]$/);
        const exits = run.of("exited");
        expect(exits.map((e) => [e.reason, e.signal])).toEqual([
          ["oom-killed", "SIGKILL"],
          ["oom-killed", "SIGKILL"],
        ]);
        expect(outcome).toMatchObject({ state: "crash-loop", restarts: 1 });
        const ooms = run.of("oom-killed");
        expect(ooms).toHaveLength(2);
        for (const oom of ooms) {
          expect(oom.oomKills).toBeGreaterThanOrEqual(1);
          // The kernel's own high-water mark of the instance never passed the limit.
          if (oom.peakBytes !== null) expect(oom.peakBytes).toBeLessThanOrEqual(limit);
        }
        // It never got near holding 400 MB, and no sample (cgroup accounting) saw more than the limit.
        expect(run.lines.map((l) => l.line)).not.toContain("holding 400 MB");
        for (const usage of run.of("usage")) {
          expect(usage.source).toBe("cgroup");
          expect(usage.rssBytes).toBeLessThanOrEqual(limit);
        }
      },
    );

    it.concurrent.each(AGENT_RUNTIME_NAMES)(
      "%s: a busy loop under cpu.limit 250m gets at most ~0.3 CPU-seconds per wall second",
      async (runtime) => {
        const run = superviseAgent(runtime, "spin", { cpuLimitCores: 0.25 });
        run.supervisor.start();
        try {
          await run.printed("spinning", 20_000);
          const pid = run.supervisor.pid!;
          await new Promise((resolve) => setTimeout(resolve, 300)); // past the runtime's own start-up threads
          const cpuBefore = cpuSeconds(pid);
          const wallBefore = performance.now();
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          const perWallSecond = (cpuSeconds(pid) - cpuBefore) / ((performance.now() - wallBefore) / 1_000);
          expect(run.supervisor.enforcement).toMatchObject({ cpuLimit: "kernel" });
          expect(perWallSecond).toBeLessThanOrEqual(0.3);
        } finally {
          await run.supervisor.stop();
        }
      },
    );

    it.concurrent.each(AGENT_RUNTIME_NAMES)(
      "%s: a grandchild is gone after stop, and so is the instance cgroup",
      async (runtime) => {
        // The grandchild leaves the agent's process group: only the cgroup holds it.
        const run = superviseAgent(
          runtime,
          "grandchild",
          { shutdownTimeoutMs: 1_000, sampleIntervalMs: 100, pidsLimit: 256 },
          { GRANDCHILD_DETACHED: "1" },
        );
        run.supervisor.start();
        await run.printed("grandchild ", 20_000);
        const grandchild = Number(run.lines.find((l) => l.line.startsWith("grandchild "))!.line.split(" ")[1]);
        expect(alive(grandchild)).toBe(true);
        // Usage comes from the cgroup's own accounting: the whole instance (agent, grandchild, watcher).
        await until(
          "a cgroup usage sample counting agent, grandchild and watcher",
          () => (run.supervisor.usage?.pids ?? 0) >= 3,
          10_000,
        );
        expect(run.supervisor.usage).toMatchObject({
          source: "cgroup",
          pids: expect.any(Number),
          cpuMicros: expect.any(Number),
        });
        expect(run.supervisor.usage!.rssBytes).toBeGreaterThan(1024 * 1024);
        expect(run.supervisor.enforcement).toMatchObject({
          pids: "kernel",
          containment: "cgroup",
          supervisorDeath: "signal",
        });
        const cgroupName =
          readFileSync(`/proc/${grandchild}/cgroup`, "utf8").match(/memory:.*\/aral\/([^/\n]+)/)?.[1] ??
          readFileSync(`/proc/${grandchild}/cgroup`, "utf8").match(/0::.*\/aral\/([^/\n]+)/)?.[1];
        expect(cgroupName).toMatch(new RegExp(`^${process.pid}-${runtime}-grandchild-\\d+$`));
        await run.supervisor.stop();
        await until("grandchild gone", () => !alive(grandchild), 2_000);
        const parents = host!.version === 2 ? [host!.parent] : Object.values(host!.parents);
        for (const parent of parents) expect(existsSync(`${parent}/${cgroupName}`)).toBe(false);
      },
    );

    it("reaping waits for a dead supervisor's watcher: an agent mid-drain finishes its graceful stop, then its cgroup goes", async () => {
      const marker = join(mkdtempSync(join(tmpdir(), "aral-reap-drain-")), "marker");
      const { command, args } = AGENT_RUNTIMES.node;
      const spec = {
        command,
        args,
        env: agentEnv("drain", { AGENT_MARKER: marker, DRAIN_MS: "1500" }),
        shutdownTimeoutMs: 3_000,
      };
      const { supervisor, output } = await supervisorProcess(spec, /agent says: ready/);
      const agent = Number(/^agent (\d+)$/m.exec(output())![1]);
      supervisor.kill("SIGKILL");
      await new Promise((resolve) => supervisor.once("exit", resolve));
      // Another supervisor starts while the agent drains (its watcher sent the one SIGTERM): it must not cut the drain.
      const reaped = await reapLeftoverCgroups(platform, systemClock, host!);
      expect(alive(agent)).toBe(false);
      expect(readFileSync(marker, "utf8")).toBe("drained signals=1");
      expect(reaped.some((name) => name.startsWith(`${supervisor.pid}-`))).toBe(true);
    });

    it("a dead supervisor's cgroups are reaped: whatever its agent left is killed and the cgroup removed", async () => {
      // A supervisor in its own process that dies without cleaning up: SIGKILL while its agent's grandchild runs.
      const { command, args } = AGENT_RUNTIMES.node;
      // The grandchild left the agent's process group, so the watcher's group kill misses it; the cgroup does not.
      const spec = { command, args, env: agentEnv("grandchild", { GRANDCHILD_DETACHED: "1" }), shutdownTimeoutMs: 500 };
      const { supervisor, output } = await supervisorProcess(spec, /agent says: grandchild \d+/);
      const grandchild = Number(/agent says: grandchild (\d+)/.exec(output())![1]);
      supervisor.kill("SIGKILL");
      await new Promise((resolve) => supervisor.once("exit", resolve));
      // The agent stops (the watcher's SIGTERM); its detached grandchild is still there until the reaping.
      const agent = Number(/^agent (\d+)$/m.exec(output())![1]);
      await until("agent stopped by the watcher", () => !alive(agent), 5_000);
      expect(alive(grandchild)).toBe(true);
      const reaped = await reapLeftoverCgroups(platform, systemClock, host!);
      expect(reaped.some((name) => name.startsWith(`${supervisor.pid}-`))).toBe(true);
      await until("grandchild reaped", () => !alive(grandchild), 2_000);
      const parents = host!.version === 2 ? [host!.parent] : Object.values(host!.parents);
      for (const parent of parents)
        expect(
          existsSync(parent) ? readdirSync(parent).filter((name) => name.startsWith(`${supervisor.pid}-`)) : [],
        ).toEqual([]);
    });
  },
);

describe("no orphans and one signal per stop (every runtime, process group and parent-death signal)", () => {
  it.concurrent.each(AGENT_RUNTIME_NAMES)(
    "%s: a SIGKILLed supervisor's agent notices and stops gracefully within 5 s",
    async (runtime) => {
      const marker = join(mkdtempSync(join(tmpdir(), "aral-orphan-")), "marker");
      const { command, args } = AGENT_RUNTIMES[runtime];
      const spec = {
        command,
        args,
        env: agentEnv("drain", { AGENT_MARKER: marker, DRAIN_MS: "200" }),
        shutdownTimeoutMs: 2_000,
      };
      const { supervisor, output } = await supervisorProcess(spec, /agent says: ready/);
      const agent = Number(/^agent (\d+)$/m.exec(output())![1]);
      supervisor.kill("SIGKILL");
      const took = await until("agent exited by itself", () => !alive(agent), 5_000);
      expect(took).toBeLessThan(5_000);
      expect(readFileSync(marker, "utf8")).toBe("drained signals=1");
    },
  );

  it.concurrent.each(AGENT_RUNTIME_NAMES)(
    "%s: without cgroups, a grandchild is gone after stop too (the agent's own process group)",
    async (runtime) => {
      const run = superviseAgent(runtime, "grandchild", { shutdownTimeoutMs: 1_000, cgroups: "off" });
      run.supervisor.start();
      await run.printed("grandchild ", 20_000);
      const grandchild = Number(run.lines.find((l) => l.line.startsWith("grandchild "))!.line.split(" ")[1]);
      expect(run.supervisor.enforcement).toMatchObject({ mechanism: "none", containment: "process group" });
      await run.supervisor.stop();
      await until("grandchild gone", () => !alive(grandchild), 2_000);
    },
  );

  it.concurrent.each(AGENT_RUNTIME_NAMES)(
    "%s: a SIGKILLed supervisor leaves no orphan: the agent's grandchild is gone within 5 s too (process group, no cgroup)",
    async (runtime) => {
      const { command, args } = AGENT_RUNTIMES[runtime];
      const spec = { command, args, env: agentEnv("grandchild"), shutdownTimeoutMs: 500, cgroups: "off" };
      const { supervisor, output } = await supervisorProcess(spec, /agent says: grandchild \d+/);
      const agent = Number(/^agent (\d+)$/m.exec(output())![1]);
      const grandchild = Number(/agent says: grandchild (\d+)/.exec(output())![1]);
      supervisor.kill("SIGKILL");
      await until("agent and grandchild gone", () => !alive(agent) && !alive(grandchild), 5_000);
    },
  );

  it.concurrent.each(AGENT_RUNTIME_NAMES)(
    "%s: a terminal's Ctrl-C to the whole group, twice, is one signal to the agent, which drains (not forced)",
    async (runtime) => {
      const marker = join(mkdtempSync(join(tmpdir(), "aral-ctrlc-")), "marker");
      const { command, args } = AGENT_RUNTIMES[runtime];
      const spec = {
        command,
        args,
        env: agentEnv("drain", { AGENT_MARKER: marker, DRAIN_MS: "500" }),
        shutdownTimeoutMs: 3_000,
      };
      // detached: the supervisor leads a process group of its own, as `aral run` does in a terminal's foreground.
      const { supervisor, output } = await supervisorProcess(spec, /agent says: ready/, { detached: true });
      process.kill(-supervisor.pid!, "SIGINT");
      process.kill(-supervisor.pid!, "SIGINT");
      const exit = await new Promise((resolve) => supervisor.once("exit", (code, signal) => resolve({ code, signal })));
      expect({ exit, output: output() }).toMatchObject({
        exit: { code: 0, signal: null },
        output: expect.stringMatching(/finished \{"state":"stopped","code":0,"signal":null,"escalated":false/),
      });
      expect(readFileSync(marker, "utf8")).toBe("drained signals=1");
    },
  );

  it.concurrent.each(AGENT_RUNTIME_NAMES)(
    "%s: SIGKILL comes later than the agent's shutdownTimeout — its forced stop and stop report happen first",
    async (runtime) => {
      const run = superviseAgent(runtime, "stuck", { shutdownTimeoutMs: 500 }, { SHUTDOWN_MS: "500" });
      run.supervisor.start();
      await run.printed("ready", 20_000);
      const result = await run.supervisor.stop();
      expect(run.supervisor.terminationGracePeriodMs).toBeGreaterThan(500);
      expect(run.lines.map((l) => l.line)).toContain("stop report: forced after 500 ms, 1 task aborted");
      expect(result).toEqual({ code: 1, signal: null, escalated: false });
    },
  );
});
