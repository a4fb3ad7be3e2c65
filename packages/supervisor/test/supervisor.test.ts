import { describe, expect, it } from "vitest";
import { isPlatformError } from "@aral/platform";
import { childEnvironment } from "../src/child-environment.ts";
import { CrashLoopError, SupervisorConfigError, SupervisorStateError } from "../src/errors.ts";
import { Supervisor } from "../src/supervisor.ts";
import { fixture, platform, processGone, quietLogger, supervise } from "./helpers.ts";

describe("Supervisor: restarts and crash loops (real node children)", () => {
  it("restarts a crashing child with doubling delays, then stops the crash loop after maxRestarts", async () => {
    const run = supervise("crash.mjs", {
      restart: { maxRestarts: 3, windowMs: 10_000, backoffMs: 60, maxBackoffMs: 1_000 },
    });
    run.supervisor.start();
    const outcome = await run.supervisor.finished();

    expect(outcome).toMatchObject({ state: "crash-loop", code: 3, signal: null, restarts: 3 });
    expect(outcome.error).toBeInstanceOf(CrashLoopError);
    expect(outcome.error).toMatchObject({
      name: "CrashLoopError",
      restartsInWindow: 3,
      maxRestarts: 3,
      windowMs: 10_000,
      lastExit: { code: 3, signal: null },
    });
    expect(run.supervisor.state).toBe("crash-loop");
    expect(run.of("restarting").map((r) => r.delayMs)).toEqual([60, 120, 240]);
    expect(run.of("crash-loop")).toHaveLength(1);
    expect(run.of("exited").map((e) => [e.code, e.reason])).toEqual(Array(4).fill([3, "exit"]));
    // The child is told it is supervised and how often it was restarted.
    expect(run.lines.map((l) => l.line)).toEqual([0, 1, 2, 3].map((n) => `crash restart=${n} supervised=1`));

    // Each restart really waited at least its delay after the previous exit.
    const exits = run.events.filter((e) => e.name === "exited").map((e) => e.at);
    const starts = run.events.filter((e) => e.name === "started").map((e) => e.at);
    expect(starts).toHaveLength(4);
    for (const [i, delay] of [60, 120, 240].entries())
      expect(starts[i + 1]! - exits[i]!).toBeGreaterThanOrEqual(delay - 2);
  });

  it("caps the delay at maxBackoffMs", async () => {
    const run = supervise("crash.mjs", {
      restart: { maxRestarts: 4, windowMs: 10_000, backoffMs: 30, maxBackoffMs: 70 },
    });
    run.supervisor.start();
    await run.supervisor.finished();
    expect(run.of("restarting").map((r) => r.delayMs)).toEqual([30, 60, 70, 70]);
  });

  it("maxRestarts 0: the first crash is already a crash loop", async () => {
    const run = supervise("crash.mjs", {
      restart: { maxRestarts: 0, windowMs: 1_000, backoffMs: 10, maxBackoffMs: 10 },
    });
    run.supervisor.start();
    expect(await run.supervisor.finished()).toMatchObject({ state: "crash-loop", restarts: 0 });
    expect(run.of("started")).toHaveLength(1);
  });

  it("only restarts within windowMs count: a child that crashes after a healthy period keeps being restarted at the first delay", async () => {
    const run = supervise("ready-then-crash.mjs", {
      env: { PATH: process.env["PATH"] ?? "", ARAL_TEST_RUN_MS: "250" },
      restart: { maxRestarts: 1, windowMs: 150, backoffMs: 20, maxBackoffMs: 1_000 },
    });
    run.supervisor.start();
    while (run.of("restarting").length < 3) await new Promise((r) => setTimeout(r, 20));
    await run.supervisor.stop();
    expect(run.of("crash-loop")).toHaveLength(0);
    expect(
      run
        .of("restarting")
        .slice(0, 3)
        .map((r) => [r.delayMs, r.restartsInWindow]),
    ).toEqual(Array(3).fill([20, 0]));
  });

  it('restartOn "failure" (default): a child that exits 0 on its own has finished; "always" restarts it', async () => {
    const infos: string[] = [];
    const finishes = supervise("print-env.mjs", {
      logger: { info: (message) => void infos.push(message), warn() {}, error() {} },
    });
    finishes.supervisor.start();
    expect(await finishes.supervisor.finished()).toMatchObject({ state: "stopped", code: 0, restarts: 0 });
    expect(infos).toContain(
      "supervisor: child exited with code 0 by itself: finished, not restarted (restartOn: failure)",
    );

    const always = supervise("print-env.mjs", {
      restart: { maxRestarts: 2, windowMs: 10_000, backoffMs: 10, maxBackoffMs: 10, restartOn: "always" },
    });
    always.supervisor.start();
    expect(await always.supervisor.finished()).toMatchObject({ state: "crash-loop", code: 0, restarts: 2 });
  });

  it("stop() during the backoff wait cancels the restart at once", async () => {
    const run = supervise("crash.mjs", {
      restart: { maxRestarts: 3, windowMs: 10_000, backoffMs: 20_000, maxBackoffMs: 20_000 },
    });
    const restarting = new Promise<void>((resolve) => run.supervisor.on("restarting", () => resolve()));
    run.supervisor.start();
    await restarting;
    expect(run.supervisor.state).toBe("backoff");
    const began = performance.now();
    expect(await run.supervisor.stop()).toEqual({ code: 3, signal: null, escalated: false });
    expect(performance.now() - began).toBeLessThan(1_000);
    expect(run.supervisor.state).toBe("stopped");
    expect(run.of("started")).toHaveLength(1);
  });
});

describe("Supervisor: stopping (SIGTERM → SIGKILL) leaves no process behind", () => {
  it("a child that handles SIGTERM stops cleanly with code 0, not escalated", async () => {
    const run = supervise("graceful.mjs", { shutdownTimeoutMs: 3_000 });
    run.supervisor.start();
    await run.printed("ready");
    const pid = run.supervisor.pid!;
    expect(run.supervisor.state).toBe("running");
    const began = performance.now();
    expect(await run.supervisor.stop()).toEqual({ code: 0, signal: null, escalated: false });
    expect(performance.now() - began).toBeLessThan(2_500);
    expect(run.lines.map((l) => l.line)).toContain("SIGTERM received, exiting cleanly");
    expect(run.of("escalated")).toHaveLength(0);
    expect(run.of("exited")).toEqual([{ pid, code: 0, signal: null, reason: "stop", escalated: false }]);
    expect(run.supervisor.state).toBe("stopped");
    expect(processGone(pid)).toBe(true);
  });

  it("a child that ignores SIGTERM is SIGKILLed at terminationGracePeriodMs, not before", async () => {
    const run = supervise("ignore-sigterm.mjs", { shutdownTimeoutMs: 300, terminationGracePeriodMs: 600 });
    run.supervisor.start();
    await run.printed("ready");
    const pid = run.supervisor.pid!;
    const began = performance.now();
    const [first, second] = await Promise.all([run.supervisor.stop(), run.supervisor.stop()]);
    const took = performance.now() - began;
    expect(first).toEqual({ code: null, signal: "SIGKILL", escalated: true });
    expect(second).toEqual(first);
    expect(took).toBeGreaterThanOrEqual(595);
    expect(run.lines.map((l) => l.line)).toContain("SIGTERM ignored");
    expect(run.of("escalated")).toEqual([{ pid, afterMs: 600 }]);
    expect(processGone(pid)).toBe(true);
  });

  it("stop() before start() and after the end resolves without a child", async () => {
    const run = supervise("graceful.mjs");
    expect(await run.supervisor.stop()).toEqual({ code: null, signal: null, escalated: false });
    expect(run.supervisor.state).toBe("stopped");
    expect(() => run.supervisor.start()).toThrow(SupervisorStateError);
  });
});

describe("Supervisor: memory limit (Linux /proc sampling, the fallback without cgroups)", () => {
  it.runIf(platform.runtime.os === "linux")(
    "a child holding ~200 MB under a 100 MB limit is reported, stopped and restarted per policy",
    async () => {
      const limit = 100 * 1024 * 1024;
      const run = supervise("hog-memory.mjs", {
        cgroups: "off",
        memoryLimitBytes: limit,
        sampleIntervalMs: 50,
        shutdownTimeoutMs: 500,
        restart: { maxRestarts: 1, windowMs: 10_000, backoffMs: 10, maxBackoffMs: 10 },
      });
      run.supervisor.start();
      const outcome = await run.supervisor.finished();
      const exceeded = run.of("memory-exceeded");
      expect(exceeded).toHaveLength(2);
      for (const event of exceeded) {
        expect(event.limitBytes).toBe(limit);
        expect(event.rssBytes).toBeGreaterThan(limit);
      }
      expect(run.of("exited").map((e) => [e.reason, e.signal])).toEqual([
        ["memory-exceeded", "SIGTERM"],
        ["memory-exceeded", "SIGTERM"],
      ]);
      expect(outcome).toMatchObject({ state: "crash-loop", restarts: 1 });
      for (const event of run.of("started")) expect(processGone(event.pid)).toBe(true);
      // Usage samples came first, with CPU time reported alongside.
      const usage = run.of("usage");
      expect(usage.length).toBeGreaterThan(0);
      expect(usage[0]!.cpuMicros).toEqual(expect.any(Number));
      expect(usage[0]!.source).toBe("proc");
      // Said loudly, naming the limit as sampled.
      expect(run.supervisor.enforcement).toMatchObject({
        mechanism: "none",
        reason: "cgroups turned off",
        memory: "sampled",
      });
    },
  );
});

describe("Supervisor: what the child sees and says", () => {
  it("the child gets only the least-privilege environment plus ARAL_SUPERVISOR, ARAL_RESTART_COUNT and ARAL_SUPERVISOR_PID", async () => {
    const parent = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: "/home/agent",
      LC_ALL: "C.UTF-8",
      ARAL_LAYERS_RUNTIME_LOGGING_LEVEL: "debug",
      OPENAI_API_KEY: "sk-secret",
      AWS_SECRET_ACCESS_KEY: "aws-secret",
      AGENT_MODE: "batch",
    };
    const run = supervise("print-env.mjs", { env: childEnvironment(parent, { allow: ["AGENT_MODE"] }) });
    run.supervisor.start();
    await run.supervisor.finished();
    const seen = JSON.parse(run.lines.find((l) => l.stream === "stdout")!.line) as Record<string, string>;
    expect(seen).toEqual({
      PATH: parent.PATH,
      HOME: "/home/agent",
      LC_ALL: "C.UTF-8",
      ARAL_LAYERS_RUNTIME_LOGGING_LEVEL: "debug",
      AGENT_MODE: "batch",
      ARAL_SUPERVISOR: "1",
      ARAL_RESTART_COUNT: "0",
      ARAL_SUPERVISOR_PID: String(process.pid),
    });
  });

  it("forwards stdout and stderr line by line, a line split across writes and a last line without newline included", async () => {
    const run = supervise("lines.mjs");
    run.supervisor.start();
    await run.supervisor.finished();
    const pid = run.of("started")[0]!.pid;
    expect(run.lines.filter((l) => l.stream === "stdout")).toEqual([
      { stream: "stdout", line: "out one", pid },
      { stream: "stdout", line: "out two", pid },
    ]);
    expect(run.lines.filter((l) => l.stream === "stderr").map((l) => l.line)).toEqual(["err one", "err tail"]);
  });

  it("a command that cannot start ends supervision as failed with the PlatformError, without restarting", async () => {
    const run = supervise("crash.mjs", { command: "/nonexistent/aral-no-such-runtime" });
    run.supervisor.start();
    const outcome = await run.supervisor.finished();
    expect(outcome.state).toBe("failed");
    expect(isPlatformError(outcome.error) && outcome.error.code).toBe("NotFound");
    expect(run.of("exited")[0]).toMatchObject({ reason: "spawn-failed" });
    expect(run.of("restarting")).toHaveLength(0);
  });

  it("a throwing listener or output callback is logged and does not break supervision", async () => {
    quietLogger.errors.length = 0;
    const run = supervise("crash.mjs", {
      restart: { maxRestarts: 1, windowMs: 10_000, backoffMs: 10, maxBackoffMs: 10 },
      onOutput: () => {
        throw new Error("output boom");
      },
    });
    run.supervisor.on("started", () => {
      throw new Error("listener boom");
    });
    run.supervisor.start();
    expect(await run.supervisor.finished()).toMatchObject({ state: "crash-loop", restarts: 1 });
    expect(quietLogger.errors.some((e) => e.includes("'started' listener threw"))).toBe(true);
    expect(quietLogger.errors.some((e) => e.includes("onOutput threw"))).toBe(true);
  });
});

describe("Supervisor: bad options are typed errors naming the option", () => {
  const base = {
    command: process.execPath,
    args: [fixture("crash.mjs")],
    env: {},
    runtime: "node" as const,
    restart: { maxRestarts: 1, windowMs: 1_000, backoffMs: 10, maxBackoffMs: 100 },
    shutdownTimeoutMs: 100,
  };
  const cases: [string, Record<string, unknown>][] = [
    ["command", { command: "" }],
    ["args", { args: ["ok", 3] }],
    ["env.TOKEN", { env: { TOKEN: 5 } }],
    // NUL ends a kernel string: the spawn threw inside supervision ("internal failure") instead
    ["command", { command: "no\0de" }],
    ["args[1]", { args: ["ok", "x\0y"] }],
    ["cwd", { cwd: "/tmp\0" }],
    ["env.TOKEN", { env: { TOKEN: "a\0b" } }],
    ['env name "T\\u0000"', { env: { "T\0": "v" } }],
    ["runtime", { runtime: "python" }],
    ["restart.maxRestarts", { restart: { ...base.restart, maxRestarts: 1.5 } }],
    ["restart.windowMs", { restart: { ...base.restart, windowMs: -1 } }],
    ["restart.maxBackoffMs", { restart: { ...base.restart, maxBackoffMs: 5 } }],
    ["restart.restartOn", { restart: { ...base.restart, restartOn: "sometimes" } }],
    ["shutdownTimeoutMs", { shutdownTimeoutMs: Number.NaN }],
    ["memoryLimitBytes", { memoryLimitBytes: 0 }],
    ["sampleIntervalMs", { sampleIntervalMs: -5 }],
  ];
  it.each(cases)("%s", (option, bad) => {
    let caught: unknown;
    try {
      new Supervisor(platform, { ...base, ...bad } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SupervisorConfigError);
    expect(caught).toMatchObject({ name: "SupervisorConfigError", option });
    expect((caught as Error).message).toContain(option);
  });
});
