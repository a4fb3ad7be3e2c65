import { ResourceDegradedError } from "@aral/core";
import { ResourceMonitor } from "@aral/core/resources";
import type { MonitorEvent, UsageSource } from "@aral/core/resources";
import { atLeast, atMost, deepEqual, equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { sleep, within } from "../harness/helpers.ts";

const CAPABILITY = "resources.monitor";
const MiB = 1024 * 1024;

/** A monitor on the platform under test, always stopped after the case; its events are collected. */
function monitorFor(
  ctx: ConformanceContext,
  source: UsageSource,
  options: ConstructorParameters<typeof ResourceMonitor>[1],
): { monitor: ResourceMonitor; events: MonitorEvent[] } {
  const monitor = new ResourceMonitor(source, options);
  ctx.defer(() => monitor.stop());
  const events: MonitorEvent[] = [];
  monitor.onEvent((event) => void events.push(event));
  return { monitor, events };
}

/** Polls `condition` every 10 ms; fails the case naming `what` after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  await within(
    (async () => {
      while (!condition()) await sleep(10);
    })(),
    ms,
    what,
  );
}

/** `mib` MiB of Uint8Arrays with every page written, so the memory is really committed. */
function allocateTouched(mib: number): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < mib; i++) {
    const block = new Uint8Array(MiB);
    for (let j = 0; j < block.length; j += 4096) block[j] = (i + j) & 0xff || 1;
    blocks.push(block);
  }
  return blocks;
}

export const resourcesMonitorCases = defineCases([
  {
    name: "monitor: real allocations kept alive push RSS over a limit set just above it → degraded (memory), new work rejected; recovers when usage falls",
    capability: CAPABILITY,
    timeoutMs: 30_000,
    async run(ctx) {
      const { platform } = ctx;
      // Leaving the degraded state needs the memory back, which depends on the garbage collector; the usage
      // source below reports the real figures, minus what the case has released once it has released it.
      let releasedBytes = 0;
      const source: UsageSource = {
        runtime: platform.runtime,
        usage: {
          memory: () => {
            const m = platform.usage.memory();
            return { ...m, rss: Math.max(0, m.rss - releasedBytes) };
          },
          cpu: () => platform.usage.cpu(),
        },
      };
      const before = platform.usage.memory().rss;
      const limit = before + 48 * MiB;
      const { monitor, events } = monitorFor(ctx, source, {
        memoryLimit: limit,
        thresholds: { memory: 1 },
        hysteresis: 0.01,
        intervalMs: 40,
        fallback: "reject",
      });
      monitor.start();
      equal(monitor.running, true, "monitor.running after start()");
      await until(() => monitor.lastSample !== null, 5_000, "the first sample");
      equal(
        monitor.degraded,
        false,
        `degraded before the allocation (rss ${monitor.lastSample?.memory.rss} of limit ${limit})`,
      );
      await monitor.admit();

      // A runtime may hand the first allocations memory it already holds (RSS does not move): keep allocating,
      // 64 MiB at a time, until the monitor sees RSS past the limit — at most 640 MiB.
      let kept: Uint8Array[] | null = [];
      for (let total = 0; !monitor.degraded && total < 640; total += 64) {
        kept.push(...allocateTouched(64));
        await until(() => monitor.degraded, 300, "degraded").catch(() => {});
      }
      await until(
        () => monitor.degraded,
        10_000,
        `degraded after allocating ${kept.length} MiB (last rss ${monitor.lastSample?.memory.rss}, limit ${limit})`,
      );
      deepEqual(monitor.reasons, ["memory"], "monitor.reasons");
      const degraded = events.find((e) => e.type === "degraded");
      ok(degraded && degraded.type === "degraded", "a 'degraded' event was emitted");
      deepEqual(degraded.reasons, ["memory"], "the degraded event's reasons");
      equal(degraded.policy, "reject", "the degraded event's policy");
      atLeast(degraded.sample.memory.used, limit, "the degraded sample's memory.used (bytes)");
      equal(degraded.sample.memory.limit, limit, "the degraded sample's memory.limit");
      atLeast(degraded.sample.memory.ratio ?? 0, 1, "the degraded sample's memory.ratio");
      await rejects(
        () => monitor.admit(),
        { instance: ResourceDegradedError, message: /memory/ },
        "admit() while degraded with the reject policy",
      );

      const rise = Math.max(0, degraded.sample.memory.rss - before);
      let checksum = 0;
      for (const block of kept) checksum += block[0]!;
      ok(checksum > 0, "the allocation was alive while degraded");
      kept = null;
      releasedBytes = rise;
      await until(
        () => !monitor.degraded,
        5_000,
        `recovery after the release (reported rss ${monitor.lastSample?.memory.rss}, limit ${limit})`,
      );
      ok(
        events.some((e) => e.type === "recovered"),
        "a 'recovered' event was emitted",
      );
      await monitor.admit();
      equal(kept, null, "the allocation was released");
      await monitor.stop();
      equal(monitor.running, false, "monitor.running after stop()");
    },
  },
  {
    name: "monitor: a CPU busy loop is measured as cpu % > 0; over a tiny CPU limit with throttling, admission waits until stop() lets it through",
    capability: CAPABILITY,
    async run(ctx) {
      const { platform } = ctx;
      const { monitor, events } = monitorFor(ctx, platform, {
        cpuLimit: 0.001,
        throttling: true,
        fallback: "shed",
        intervalMs: 60_000,
      });
      monitor.start();
      await until(() => monitor.lastSample !== null, 5_000, "the first sample");
      const started = performance.now();
      let spin = 0;
      while (performance.now() - started < 300) spin += Math.sqrt(spin + 1);
      ok(spin > 0, "the busy loop ran");
      const sample = await monitor.sample();
      ok(sample.cpu.percent > 0, `cpu.percent over a 300 ms busy loop must be > 0, got ${sample.cpu.percent}`);
      ok(sample.cpu.cores > 0, `cpu.cores must be > 0, got ${sample.cpu.cores}`);
      atMost(sample.cpu.cores, platform.runtime.cpus + 1, "cpu.cores (never more than the machine has, with slack)");
      const cores = Math.max(1, platform.runtime.cpus);
      atMost(
        Math.abs(sample.cpu.percent - (sample.cpu.cores / cores) * 100),
        0.001,
        "cpu.percent = cores / machine cores × 100 (difference)",
      );
      equal(sample.cpu.limit, 0.001, "cpu.limit");
      equal(monitor.throttled, true, "throttled over the CPU limit");
      ok(monitor.reasons.includes("cpu"), `degraded reasons include cpu (got ${monitor.reasons.join(", ")})`);
      ok(
        events.some((e) => e.type === "throttled"),
        "a 'throttled' event was emitted",
      );

      let admitted = false;
      const admission = monitor.admit().then(() => void (admitted = true));
      await sleep(50);
      equal(admitted, false, "admit() while throttled (shed policy) waits");
      await monitor.stop();
      await within(admission, 2_000, "admission let through by stop()");
      equal(monitor.throttled, false, "throttled after stop()");
      equal(monitor.running, false, "running after stop()");
    },
  },
  {
    name: "monitor: stop() ends the sampling loop — running false, no sample after it, stop() twice is fine, start() again works",
    capability: CAPABILITY,
    async run(ctx) {
      const { monitor, events } = monitorFor(ctx, ctx.platform, { memoryLimit: 2 ** 50, intervalMs: 20 });
      const samples = () => events.filter((e) => e.type === "sample").length;
      monitor.start();
      monitor.start();
      await until(() => samples() >= 3, 5_000, "three samples at a 20 ms interval");
      const stopping = monitor.stop();
      equal(monitor.running, false, "running as soon as stop() is called");
      await within(stopping, 2_000, "stop()");
      const count = samples();
      await sleep(150);
      equal(samples(), count, "samples taken after stop() resolved");
      await monitor.stop();
      monitor.start();
      await until(() => samples() > count, 5_000, "a sample after start() again");
      await monitor.stop();
      equal(monitor.running, false, "running after the second stop()");
    },
  },
  {
    name: "monitor: disk usage of a real storage root is sampled; past the disk threshold it warns and degrades",
    capability: CAPABILITY,
    async run(ctx) {
      const root = await ctx.tempDir();
      // Something on the disk even when the temp directory is a fresh, empty tmpfs (usedRatio would be 0).
      await ctx.platform.fs.writeFile(`${root}/ballast`, new Uint8Array(1024 * 1024).fill(1));
      const { monitor, events } = monitorFor(ctx, ctx.platform, {
        storageRoots: [root],
        thresholds: { disk: 0.000_001 },
        intervalMs: 60_000,
      });
      const sample = await monitor.sample();
      equal(sample.disk.length, 1, "disk entries in the sample");
      const disk = sample.disk[0]!;
      equal(disk.root, root, "disk.root");
      ok(
        disk.total > 0 && disk.available >= 0 && disk.available <= disk.total,
        `disk total/available are byte counts (got ${disk.total}/${disk.available})`,
      );
      ok(disk.usedRatio > 0 && disk.usedRatio <= 1, `disk.usedRatio in (0, 1] (got ${disk.usedRatio})`);
      ok(monitor.reasons.includes("disk"), `degraded reasons include disk (got ${monitor.reasons.join(", ")})`);
      const warning = events.find((e) => e.type === "disk-warning");
      ok(warning && warning.type === "disk-warning" && warning.root === root, "a disk-warning event names the root");
    },
  },
  {
    name: "monitor: bad options fail with typed errors naming them",
    capability: CAPABILITY,
    async run(ctx) {
      const make = (options: ConstructorParameters<typeof ResourceMonitor>[1]) => () =>
        new ResourceMonitor(ctx.platform, options);
      await rejects(
        make({ thresholds: { memory: 0 } }),
        { instance: RangeError, message: /memory/ },
        "thresholds.memory 0",
      );
      await rejects(
        make({ thresholds: { cpu: Number.NaN } }),
        { instance: RangeError, message: /cpu/ },
        "thresholds.cpu NaN",
      );
      await rejects(make({ intervalMs: -5 }), { instance: RangeError, message: /intervalMs/ }, "intervalMs -5");
      await rejects(make({ hysteresis: 1 }), { instance: RangeError, message: /hysteresis/ }, "hysteresis 1");
      await rejects(
        make({ fallback: "explode" as "reject" }),
        { instance: RangeError, message: /explode/ },
        "fallback 'explode'",
      );
    },
  },
]);
