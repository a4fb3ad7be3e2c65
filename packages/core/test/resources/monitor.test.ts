import { describe, expect, it } from "vitest";
import { ResourceMonitor, createResourceMonitor } from "../../src/resources/monitor.ts";
import type { MonitorEvent } from "../../src/resources/monitor.ts";
import { resolveResources } from "../../src/resources/config.ts";
import { ResourceDegradedError } from "../../src/resources/errors.ts";
import { ManualClock } from "@aral/platform";

const Mi = 2 ** 20;

/** A usage source whose numbers the test scripts. */
function scripted(cpus = 4) {
  const state = { rss: 10 * Mi, heapUsed: 5 * Mi, cpuMicros: 0, diskUsedRatio: 0.5 };
  return {
    state,
    source: {
      runtime: { cpus },
      usage: {
        memory: () => ({ rss: state.rss, heapUsed: state.heapUsed, heapTotal: 8 * Mi, external: 0 }),
        cpu: () => ({ userMicros: state.cpuMicros * 0.75, systemMicros: state.cpuMicros * 0.25 }),
      },
      fs: {
        diskUsage: async () => ({
          total: 1000,
          free: 1000 * (1 - state.diskUsedRatio),
          available: Math.round(1000 * (1 - state.diskUsedRatio)),
        }),
      },
    },
  };
}

function record(monitor: ResourceMonitor): string[] {
  const events: string[] = [];
  monitor.onEvent((e: MonitorEvent) => {
    if (e.type !== "sample") events.push(e.type === "degraded" ? `degraded:${e.reasons.join("+")}` : e.type);
  });
  return events;
}

describe("ResourceMonitor (scripted usage)", () => {
  it("degrades past the memory threshold and recovers only below it minus the hysteresis", async () => {
    const { state, source } = scripted();
    const monitor = new ResourceMonitor(source, { memoryLimit: 100 * Mi, clock: new ManualClock() });
    const events = record(monitor);
    state.rss = 80 * Mi;
    expect((await monitor.sample()).memory.ratio).toBeCloseTo(0.8);
    expect(monitor.degraded).toBe(false);
    state.rss = 95 * Mi;
    await monitor.sample();
    expect(monitor.degraded).toBe(true);
    expect(monitor.reasons).toEqual(["memory"]);
    state.rss = 87 * Mi; // under 90% but within the 5% hysteresis band
    await monitor.sample();
    expect(monitor.degraded).toBe(true);
    state.rss = 84 * Mi;
    await monitor.sample();
    expect(monitor.degraded).toBe(false);
    expect(events).toEqual(["degraded:memory", "recovered"]);
  });

  it("computes CPU as cpu-time delta over wall delta, per core, and throttles admission over the limit", async () => {
    const clock = new ManualClock();
    const { state, source } = scripted(4);
    const monitor = new ResourceMonitor(source, { cpuLimit: 1, throttling: true, clock, fallback: "shed" });
    const events = record(monitor);
    await monitor.sample();
    await clock.advance(1000);
    state.cpuMicros += 500_000;
    const calm = await monitor.sample();
    expect(calm.cpu.cores).toBeCloseTo(0.5);
    expect(calm.cpu.percent).toBeCloseTo(12.5);
    expect(calm.cpu.ratio).toBeCloseTo(0.5);
    await monitor.admit();

    await clock.advance(1000);
    state.cpuMicros += 1_200_000;
    await monitor.sample();
    expect(monitor.throttled).toBe(true);
    expect(monitor.degraded).toBe(true);
    let admitted = false;
    const waiting = monitor.admit().then(() => (admitted = true));
    const aborted = new AbortController();
    const abandoned = monitor.admit(aborted.signal);
    aborted.abort(new Error("caller gave up"));
    await expect(abandoned).rejects.toThrow("caller gave up");
    await Promise.resolve();
    expect(admitted).toBe(false);

    await clock.advance(1000);
    state.cpuMicros += 400_000;
    await monitor.sample();
    await waiting;
    expect(admitted).toBe(true);
    expect(monitor.throttled).toBe(false);
    expect(events).toEqual(["degraded:cpu", "throttled", "recovered", "unthrottled"]);
  });

  it("stop() lets admission waiters through even when the throttle came from sample() without start()", async () => {
    const clock = new ManualClock();
    const { state, source } = scripted(1);
    const monitor = new ResourceMonitor(source, { cpuLimit: 0.1, throttling: true, fallback: "shed", clock });
    await monitor.sample();
    await clock.advance(1000);
    state.cpuMicros += 1_000_000;
    await monitor.sample();
    expect(monitor.throttled).toBe(true);
    let admitted = false;
    const waiting = monitor.admit().then(() => (admitted = true));
    await monitor.stop();
    await waiting;
    expect(admitted).toBe(true);
    expect(monitor.throttled).toBe(false);
    expect(monitor.running).toBe(false);
  });

  it("without throttling, CPU over the limit degrades but never holds admission", async () => {
    const clock = new ManualClock();
    const { state, source } = scripted(2);
    const monitor = new ResourceMonitor(source, { cpuLimit: 0.5, throttling: false, fallback: "shed", clock });
    await monitor.sample();
    await clock.advance(100);
    state.cpuMicros += 100_000;
    await monitor.sample();
    expect(monitor.degraded).toBe(true);
    expect(monitor.throttled).toBe(false);
    await monitor.admit();
  });

  it("the reject policy refuses new work while degraded; the restart policy asks for a restart", async () => {
    const { state, source } = scripted();
    state.rss = 99 * Mi;
    const rejecting = new ResourceMonitor(source, { memoryLimit: 100 * Mi, fallback: "reject" });
    await rejecting.sample();
    await expect(rejecting.admit()).rejects.toBeInstanceOf(ResourceDegradedError);
    await expect(rejecting.admit()).rejects.toThrow(/memory/);

    const restarting = new ResourceMonitor(source, { memoryLimit: 100 * Mi, fallback: "restart" });
    const events = record(restarting);
    await restarting.sample();
    expect(events).toEqual(["degraded:memory", "restart-requested"]);
    await restarting.admit();
  });

  it("watches the disk of the storage roots: warns once and degrades past the disk threshold", async () => {
    const { state, source } = scripted();
    const monitor = new ResourceMonitor(source, {
      storageRoots: ["/data"],
      thresholds: { disk: 0.9 },
      fallback: "shed",
    });
    const events = record(monitor);
    state.diskUsedRatio = 0.95;
    const sample = await monitor.sample();
    expect(sample.disk).toHaveLength(1);
    expect(sample.disk[0]).toMatchObject({ root: "/data", total: 1000, available: 50 });
    expect(sample.disk[0]!.usedRatio).toBeCloseTo(0.95);
    await monitor.sample();
    state.diskUsedRatio = 0.5;
    await monitor.sample();
    expect(events).toEqual(["disk-warning", "degraded:disk", "recovered"]);
  });

  it("counts storage written against maxSize toward the disk threshold", async () => {
    const { source } = scripted();
    let used = 500;
    const monitor = new ResourceMonitor(source, {
      storageQuota: () => ({ total: used, maxSize: 1000 }),
      fallback: "shed",
    });
    expect((await monitor.sample()).quota).toEqual({ used: 500, maxSize: 1000, ratio: 0.5 });
    expect(monitor.degraded).toBe(false);
    used = 950;
    await monitor.sample();
    expect(monitor.reasons).toEqual(["disk"]);
  });

  it("samples every interval after start() and nothing runs after stop()", async () => {
    const clock = new ManualClock();
    const { source } = scripted();
    const monitor = new ResourceMonitor(source, { intervalMs: 1000, clock });
    let samples = 0;
    monitor.onEvent((e) => {
      if (e.type === "sample") samples++;
    });
    monitor.start();
    monitor.start();
    await clock.advance(0);
    expect(samples).toBe(1);
    await clock.advance(3000);
    expect(samples).toBe(4);
    await monitor.stop();
    expect(monitor.running).toBe(false);
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(10_000);
    expect(samples).toBe(4);
  });

  it("a failing sample is reported as an event and sampling goes on", async () => {
    const clock = new ManualClock();
    const { source } = scripted();
    let fail = true;
    const monitor = new ResourceMonitor(
      {
        ...source,
        usage: {
          ...source.usage,
          memory: () => {
            if (fail) throw new Error("memory usage broke");
            return source.usage.memory();
          },
        },
      },
      { intervalMs: 100, clock },
    );
    const types: string[] = [];
    monitor.onEvent((e) => types.push(e.type));
    monitor.start();
    await clock.advance(0);
    fail = false;
    await clock.advance(100);
    await monitor.stop();
    expect(types).toEqual(["error", "sample"]);
  });

  it("a storage root whose disk usage cannot be read is reported once; memory is still sampled and enforced", async () => {
    const { state, source } = scripted();
    let unreadable = true;
    const monitor = new ResourceMonitor(
      {
        ...source,
        fs: {
          diskUsage: async (root: string) => {
            if (root === "/gone" && unreadable) throw new Error(`statfs ${root}: permission denied`);
            return { total: 1000, free: 500, available: 500 };
          },
        },
      },
      { storageRoots: ["/gone", "/ok"], memoryLimit: 100 * Mi, clock: new ManualClock() },
    );
    const errors: { root?: string; message: string }[] = [];
    monitor.onEvent((e) => {
      if (e.type === "error") errors.push({ root: e.root, message: (e.error as Error).message });
    });
    state.rss = 95 * Mi;
    const first = await monitor.sample();
    expect(first.disk.map((d) => d.root)).toEqual(["/ok"]);
    expect(monitor.degraded).toBe(true);
    expect(monitor.reasons).toEqual(["memory"]);
    await monitor.sample();
    expect(errors).toEqual([{ root: "/gone", message: "statfs /gone: permission denied" }]);
    unreadable = false;
    expect((await monitor.sample()).disk.map((d) => d.root)).toEqual(["/gone", "/ok"]);
    unreadable = true;
    await monitor.sample();
    expect(errors).toHaveLength(2);
  });

  it("rejects bad options by name", () => {
    const { source } = scripted();
    expect(() => new ResourceMonitor(source, { thresholds: { memory: -1 } })).toThrow(/threshold memory/);
    expect(() => new ResourceMonitor(source, { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new ResourceMonitor(source, { fallback: "panic" as never })).toThrow(/fallback/);
  });
});

describe("ResourceMonitor (real usage)", () => {
  it("notices a real 96 MiB allocation against a memory limit and stops cleanly", async () => {
    const source = {
      runtime: { cpus: 2 },
      usage: {
        memory: () => process.memoryUsage(),
        cpu: () => {
          const c = process.cpuUsage();
          return { userMicros: c.user, systemMicros: c.system };
        },
      },
    };
    const baseline = process.memoryUsage().rss;
    const resources = resolveResources({ memory: { limit: baseline + 32 * Mi }, cpu: { limit: "2" } });
    const monitor = createResourceMonitor(source, resources, {
      intervalMs: 20,
      thresholds: { memory: 1 },
      fallback: "shed",
    });
    const degraded = new Promise<MonitorEvent>((resolve) =>
      monitor.onEvent((e) => e.type === "degraded" && resolve(e)),
    );
    monitor.start();
    await new Promise((r) => setTimeout(r, 60));
    expect(monitor.degraded).toBe(false);
    const block = new Uint8Array(96 * Mi).fill(7);
    const event = await degraded;
    expect(event).toMatchObject({ type: "degraded", reasons: ["memory"], policy: "shed" });
    expect(monitor.lastSample!.memory.rss).toBeGreaterThan(baseline + 32 * Mi);
    expect(monitor.lastSample!.cpu.limit).toBe(2);
    await monitor.stop();
    expect(monitor.running).toBe(false);
    expect(block[block.length - 1]).toBe(7);
  });
});
