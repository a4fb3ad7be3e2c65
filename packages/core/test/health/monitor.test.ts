import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { createLogger, memorySink } from "../../src/logging/index.ts";
import { HealthCheckError, HealthMonitor } from "../../src/health/index.ts";
import { until } from "../wait.ts";

const monitor = (extra: Partial<ConstructorParameters<typeof HealthMonitor>[0]> = {}) =>
  new HealthMonitor({ interval: 1000, timeout: 200, instanceId: "i-1", ...extra });

describe("HealthMonitor checks", () => {
  it("records pass and every kind of failure with its message", async () => {
    const m = monitor();
    m.register("sync-true", () => true);
    m.register("void", () => {});
    m.register("async-detail", async () => ({ ok: true, detail: { connections: 3 } }));
    m.register("false", () => false);
    m.register("throws", () => {
      throw new Error("db unreachable");
    });
    m.register("rejects", async () => Promise.reject(new Error("rejected")));
    m.register("not-ok", async () => ({ ok: false, detail: "queue full" }));
    await m.runChecks();
    const { checks } = m.report();
    expect(checks["sync-true"]).toMatchObject({ ok: true, kind: "both" });
    expect(checks["void"]!.ok).toBe(true);
    expect(checks["async-detail"]).toMatchObject({ ok: true, detail: { connections: 3 } });
    expect(checks["false"]).toMatchObject({ ok: false, error: "check returned false" });
    expect(checks["throws"]).toMatchObject({ ok: false, error: "db unreachable" });
    expect(checks["rejects"]).toMatchObject({ ok: false, error: "rejected" });
    expect(checks["not-ok"]).toMatchObject({ ok: false, error: "queue full" });
    for (const result of Object.values(checks)) {
      expect(result.lastRun).toBeInstanceOf(Date);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("a hung check fails after its timeout (real timers) and sees its signal aborted", async () => {
    const m = monitor({ timeout: 100 });
    let aborted = false;
    m.register("hung", ({ signal }) => {
      signal.addEventListener("abort", () => (aborted = true));
      return new Promise(() => {});
    });
    m.register("quick", () => true, { timeoutMs: 1000 });
    const t0 = performance.now();
    await m.runChecks();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(600);
    expect(m.report().checks["hung"]).toMatchObject({ ok: false, error: "timed out after 100 ms" });
    expect(m.report().checks["hung"]!.durationMs).toBeGreaterThanOrEqual(90);
    expect(aborted).toBe(true);
    expect(m.report().checks["quick"]!.ok).toBe(true);
  });

  it("per-check timeoutMs overrides the default, and a check failing late is not an unhandled rejection", async () => {
    const m = monitor({ timeout: 5000 });
    m.register("slow", () => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 80)), {
      timeoutMs: 20,
    });
    await m.runChecks();
    expect(m.report().checks["slow"]!.error).toBe("timed out after 20 ms");
    await new Promise((r) => setTimeout(r, 100));
  });

  it("rejects duplicate names and bad input with HealthCheckError", () => {
    const m = monitor();
    m.register("db", () => true);
    expect(() => m.register("db", () => true)).toThrow(HealthCheckError);
    expect(() => m.register("db", () => true)).toThrow('Health check "db" is already registered');
    expect(() => m.register("", () => true)).toThrow(/non-empty string/);
    expect(() => m.register("x", 42 as never)).toThrow(/must be a function/);
    expect(() => m.register("y", () => true, { kind: "sometimes" as never })).toThrow(/kind must be/);
    expect(() => m.register("z", () => true, { timeoutMs: 0 })).toThrow(
      /timeoutMs of "z" must be a finite number of milliseconds > 0/,
    );
    expect(() => m.register("z", () => true, { timeoutMs: 2 ** 31 })).toThrow(/timeoutMs of "z" .* at most 2147483647/);
    expect(() => new HealthMonitor({ interval: -1, timeout: 1 })).toThrow(HealthCheckError);
    try {
      m.register("db", () => true);
    } catch (error) {
      expect(error).toMatchObject({ name: "HealthCheckError", check: "db", reason: "duplicate" });
    }
  });
});

describe("liveness, readiness and the report", () => {
  it("separates liveness from readiness and goes not-ready at once when accepting stops", async () => {
    let dbOk = true;
    let alive = true;
    const m = monitor();
    m.register("event-loop", () => alive, { kind: "liveness" });
    m.register("db", () => dbOk, { kind: "readiness" });
    expect(m.isLive()).toBe(true);
    expect(m.isReady()).toBe(false); // readiness check has not run yet
    expect(m.report()).toMatchObject({ status: "warn", live: true, ready: false, lastCheck: null, instanceId: "i-1" });
    await m.runChecks();
    expect(m.report()).toMatchObject({ status: "pass", live: true, ready: true });
    expect(m.report().lastCheck).toBeInstanceOf(Date);
    dbOk = false;
    await m.runChecks();
    expect(m.report()).toMatchObject({ status: "warn", live: true, ready: false });
    expect(m.isHealthy()).toBe(false);
    dbOk = true;
    await m.runChecks();
    m.setAccepting(false);
    expect(m.isReady()).toBe(false);
    expect(m.report().status).toBe("warn");
    expect(m.isHealthy()).toBe(true);
    alive = false;
    await m.runChecks();
    expect(m.report()).toMatchObject({ status: "fail", live: false });
  });

  it("reports uptime from the given start time and logs state changes only", async () => {
    const clock = new ManualClock();
    const sink = memorySink();
    const startTime = Date.now() - 10_000;
    let ok = true;
    const m = new HealthMonitor({
      interval: 1000,
      timeout: 100,
      clock,
      logger: createLogger({ sink }),
      instanceId: "i-9",
      startTime,
    });
    m.register("flappy", () => ok);
    const uptime = m.report().uptimeMs;
    expect(uptime).toBeGreaterThanOrEqual(10_000);
    expect(uptime).toBeLessThan(11_000);
    await clock.advance(2500);
    expect(m.report().uptimeMs - uptime).toBe(2500);
    await m.runChecks();
    await m.runChecks();
    ok = false;
    await m.runChecks();
    await m.runChecks();
    ok = true;
    await m.runChecks();
    expect(sink.records.map((r) => r.msg)).toEqual(["health check failing", "health check passing"]);
  });
});

describe("scheduling", () => {
  it("start() runs at once, then every interval after the previous run; stop() clears the timer", async () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    const m = new HealthMonitor({ interval: 1000, timeout: 100, clock });
    m.register("count", () => {
      runs.push(clock.now());
    });
    m.start();
    m.start(); // idempotent
    await clock.advance(0);
    expect(runs).toEqual([0]);
    await clock.advance(3500);
    expect(runs).toEqual([0, 1000, 2000, 3000]);
    m.stop();
    expect(m.running).toBe(false);
    await clock.advance(0);
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(5000);
    expect(runs).toHaveLength(4);
  });

  it("with real timers: runs on the interval and leaves no timer after stop", async () => {
    const m = new HealthMonitor({ interval: 40, timeout: 20 });
    let runs = 0;
    m.register("tick", () => {
      runs++;
    });
    m.start();
    await new Promise((r) => setTimeout(r, 150));
    m.stop();
    expect(runs).toBeGreaterThanOrEqual(2); // at 0 and 40 ms at least, even on a loaded machine
    expect(runs).toBeLessThanOrEqual(5);
    const after = runs;
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(after);
  });

  it("concurrent runChecks calls share one run", async () => {
    const m = monitor();
    let calls = 0;
    m.register("slow", async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
    });
    await Promise.all([m.runChecks(), m.runChecks(), m.runChecks()]);
    expect(calls).toBe(1);
  });
});

describe("checks and options an operator gets wrong", () => {
  it("an unknown option of the monitor or of a check is a HealthCheckError naming it, not ignored", () => {
    expect(() => monitor({ intervall: 5 } as never)).toThrow(
      expect.objectContaining({
        reason: "invalid-option",
        message: expect.stringContaining('did you mean "interval"'),
      }),
    );
    const m = monitor();
    expect(() => m.register("db", () => true, { timeout: 50 } as never)).toThrow(
      expect.objectContaining({
        name: "HealthCheckError",
        check: "db",
        reason: "invalid-option",
        message: expect.stringContaining('unknown option "timeout" (did you mean "timeoutMs"?)'),
      }),
    );
    expect(m.report().checks).toEqual({});
  });

  it("a check named __proto__ is reported like any other", async () => {
    const m = monitor();
    m.register("__proto__", () => false);
    await m.runChecks();
    const { checks, status } = m.report();
    expect(status).toBe("fail");
    expect(Object.keys(checks)).toEqual(["__proto__"]);
    expect(JSON.parse(JSON.stringify(checks))).toMatchObject({ ["__proto__"]: { ok: false } });
  });

  it("a check that hangs past its timeout is not called again until its call settles (calls piled up, one per run)", async () => {
    const m = monitor({ timeout: 20 });
    let calls = 0;
    let settle!: () => void;
    m.register("hangs", () => {
      calls++;
      return new Promise<boolean>((resolve) => (settle = () => resolve(true)));
    });
    await m.runChecks();
    expect(m.report().checks["hangs"]).toMatchObject({ ok: false, error: "timed out after 20 ms" });
    await m.runChecks();
    await m.runChecks();
    expect(calls).toBe(1);
    expect(m.report().checks["hangs"]).toMatchObject({ ok: false, error: expect.stringMatching(/^still running/) });
    settle();
    await until("the hung call to settle and the check to be called again", () => {
      void m.runChecks();
      return calls === 2;
    });
  });
});
