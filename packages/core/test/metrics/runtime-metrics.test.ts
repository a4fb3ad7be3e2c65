import process from "node:process";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import type { UsageApi } from "@aral/platform";
import { HealthMonitor } from "../../src/health/index.ts";
import { wallTime } from "../../src/logging/wall-time.ts";
import { MetricsError, MetricsRegistry, RequestStats, collectRuntimeMetrics } from "../../src/metrics/index.ts";
import { promtoolCheck, promtoolMissing } from "./promtool.ts";

describe("RequestStats", () => {
  it("computes rate, average latency and error rate over a sliding window", async () => {
    const clock = new ManualClock();
    const stats = new RequestStats({ windowMs: 10_000, clock });
    expect([stats.requestsPerSecond, stats.averageLatency, stats.errorRate]).toEqual([0, 0, 0]);
    for (let i = 0; i < 10; i++) stats.record(100, i % 5 !== 0); // 2 errors
    await clock.advance(2000);
    for (let i = 0; i < 10; i++) stats.record(200, true);
    expect(stats.requestsPerSecond).toBe(20 / 2); // 2 s since creation, shorter than the window
    expect(stats.averageLatency).toBe(150);
    expect(stats.errorRate).toBe(0.1);
    await clock.advance(8500); // first batch (t=0) falls out of the 10 s window, second (t=2 s) stays
    expect(stats.requestsPerSecond).toBe(10 / 10);
    expect(stats.averageLatency).toBe(200);
    expect(stats.errorRate).toBe(0);
    await clock.advance(20_000);
    expect([stats.requestsPerSecond, stats.averageLatency, stats.errorRate]).toEqual([0, 0, 0]);
    expect(stats.totals).toEqual({ requests: 20, errors: 2 });
  });

  it("rejects bad input with MetricsError", () => {
    const stats = new RequestStats();
    expect(() => stats.record(-1, true)).toThrow(MetricsError);
    expect(() => stats.record(Number.NaN, true)).toThrow(/latencyMs must be a finite number >= 0/);
    expect(() => new RequestStats({ windowMs: 10, slotMs: 100 })).toThrow(/windowMs/);
  });
});

function scriptedUsage(): UsageApi & { cpuMicros: number; rss: number } {
  const usage = {
    cpuMicros: 0,
    rss: 50 * 2 ** 20,
    memory: () => ({ rss: usage.rss, heapUsed: 1, heapTotal: 2, external: 3 }),
    cpu: () => ({ userMicros: usage.cpuMicros * 0.75, systemMicros: usage.cpuMicros * 0.25 }),
  };
  return usage;
}

describe("collectRuntimeMetrics", () => {
  it("returns the seed's RuntimeMetrics, with CPU % from cpu-time delta over wall-time delta", async () => {
    const clock = new ManualClock();
    const usage = scriptedUsage();
    const requests = new RequestStats({ clock });
    const health = new HealthMonitor({ interval: 1000, timeout: 100, clock });
    let ok = true;
    health.register("db", () => ok);
    const startTime = wallTime(clock); // the clock's reading pinned to epoch ms
    const sources = { startTime, restartCount: 2, usage, requests, health, clock, diskUsage: () => 4096 };

    collectRuntimeMetrics(sources); // primes the CPU sample (pinned clock ↔ Date.now at first read)
    await clock.advance(2000);
    usage.cpuMicros += 500_000; // 0.5 s of CPU in 2 s of wall time = 25 %
    requests.record(40, true);
    requests.record(60, false);
    await health.runChecks();
    const m = collectRuntimeMetrics(sources);
    expect(m.cpuUsage).toBeCloseTo(25, 6);
    expect(m.uptime).toBe(2000);
    expect(m).toMatchObject({
      restartCount: 2,
      memoryUsage: 50 * 2 ** 20,
      diskUsage: 4096,
      averageLatency: 50,
      errorRate: 0.5,
      isHealthy: true,
    });
    expect(m.requestsPerSecond).toBe(1);
    expect(m.lastHealthCheck).toBeInstanceOf(Date);
    expect(m.lastHealthCheck.getTime()).toBeGreaterThan(0);

    await clock.advance(1000);
    usage.cpuMicros += 2_000_000; // 2 s of CPU in 1 s: two busy cores
    ok = false;
    await health.runChecks();
    const next = collectRuntimeMetrics(sources);
    expect(next.cpuUsage).toBeCloseTo(200, 6);
    expect(next.isHealthy).toBe(false);
  });

  it("the first sample of real CPU usage is a share of the limit (the issue: 389 % on 2 cores), not CPU since process start over runtime uptime", () => {
    const burnUntil = Date.now() + 300;
    while (Date.now() < burnUntil); // CPU spent before the "runtime" starts, as an import would
    const usage: UsageApi = {
      memory: () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 0 }),
      cpu: () => {
        const { user, system } = process.cpuUsage();
        return { userMicros: user, systemMicros: system };
      },
    };
    const clock = new ManualClock();
    const m = collectRuntimeMetrics({
      startTime: Date.now(), // the runtime starts just now, after all that CPU
      restartCount: 0,
      usage,
      requests: new RequestStats({ clock }),
      health: new HealthMonitor({ interval: 1000, timeout: 100, clock }),
      clock,
      cpuCores: 1,
    });
    // One JS thread (plus GC/JIT helpers) over the process's lifetime: at most a little above one core.
    expect(m.cpuUsage).toBeGreaterThan(0);
    expect(m.cpuUsage).toBeLessThan(150);
  });

  it("lastHealthCheck is the epoch before any check ran; diskUsage defaults to 0", () => {
    const clock = new ManualClock();
    const m = collectRuntimeMetrics({
      startTime: new Date(),
      restartCount: 0,
      usage: scriptedUsage(),
      requests: new RequestStats({ clock }),
      health: new HealthMonitor({ interval: 1000, timeout: 100, clock }),
      clock,
    });
    expect(m.lastHealthCheck.getTime()).toBe(0);
    expect(m.diskUsage).toBe(0);
    expect(m.isHealthy).toBe(true);
  });

  it("sets aral_* metrics on a registry, restarts as a counter", async () => {
    const clock = new ManualClock();
    const usage = scriptedUsage();
    const requests = new RequestStats({ clock });
    const health = new HealthMonitor({ interval: 1000, timeout: 100, clock });
    const registry = new MetricsRegistry();
    requests.record(250, true);
    const sources = { startTime: Date.now(), restartCount: 1, usage, requests, health, clock, registry, diskUsage: 10 };
    collectRuntimeMetrics(sources);
    collectRuntimeMetrics({ ...sources, restartCount: 3 });
    const text = registry.render();
    for (const name of [
      "aral_uptime_seconds",
      "aral_cpu_usage_ratio",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "aral_disk_usage_bytes",
      "aral_requests_per_second",
      "aral_request_latency_average_seconds",
      "aral_request_error_ratio",
      "aral_healthy",
      "aral_last_health_check_timestamp_seconds",
    ])
      expect(text).toContain(`# TYPE ${name} gauge\n`);
    expect(text).toContain("# TYPE aral_restarts_total counter\naral_restarts_total 3\n");
    expect(text).toContain("process_resident_memory_bytes 52428800\n");
    expect(text).toContain("aral_request_latency_average_seconds 0.25\n");
    expect(text).toContain("aral_requests_total 1\n");
    expect(text).toContain("aral_healthy 1\n");
  });

  it.skipIf(promtoolMissing !== undefined)(
    `promtool accepts the runtime metrics${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ""}`,
    () => {
      const clock = new ManualClock();
      const registry = new MetricsRegistry();
      const requests = new RequestStats({ clock });
      requests.record(12, false);
      collectRuntimeMetrics({
        startTime: Date.now(),
        restartCount: 1,
        usage: scriptedUsage(),
        requests,
        health: new HealthMonitor({ interval: 1000, timeout: 100, clock }),
        clock,
        registry,
        diskUsage: 1,
      });
      const result = promtoolCheck(registry.render());
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );
});
