// GlobalMeterBridge in process against a real @opentelemetry/sdk-metrics MeterProvider: labelled histograms, families
// registered after the bridge, constant labels set later, close(); and the runtime's warning when no SDK registered
// a MeterProvider (the API's no-op meter would drop everything silently).
import { metrics } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { GlobalMeterBridge } from "../../src/metrics/global-meter.ts";
import { MetricsError, MetricsRegistry } from "../../src/metrics/index.ts";

function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    /** Collects now; the exported metrics by name. */
    async collect() {
      exporter.reset();
      await reader.forceFlush();
      const scope = exporter.getMetrics().at(-1)?.scopeMetrics[0];
      return new Map((scope?.metrics ?? []).map((m) => [m.descriptor.name, m]));
    },
  };
}

afterEach(() => metrics.disable());

describe("GlobalMeterBridge", () => {
  it("records a labelled histogram's observations with their labels and the constant labels as attributes", async () => {
    const { provider, collect } = sdk();
    const registry = new MetricsRegistry();
    registry.setConstantLabels({ agent: "a1" });
    const latency = registry.histogram("app_latency_seconds", "Latency.", [0.1, 1], ["route"]);
    const bridge = new GlobalMeterBridge(provider.getMeter("test"), registry, () => registry.collect());
    latency.observe(0.05, { route: "/a" });
    latency.observe(0.5, { route: "/a" });
    latency.observe(5, { route: "/b" });
    const histogram = (await collect()).get("app_latency_seconds")!;
    expect(histogram.descriptor.unit).toBe("s");
    const byRoute = new Map(histogram.dataPoints.map((p) => [p.attributes["route"], p]));
    expect(byRoute.get("/a")!.attributes).toEqual({ agent: "a1", route: "/a" });
    expect(byRoute.get("/a")!.value).toMatchObject({ count: 2, buckets: { boundaries: [0.1, 1], counts: [1, 1, 0] } });
    expect(byRoute.get("/b")!.value).toMatchObject({ count: 1, sum: 5, buckets: { counts: [0, 0, 1] } });
    // A second listener on the same histogram is refused (two bridges would double-count).
    expect(() => latency.onObserve(() => {})).toThrow(MetricsError);
    bridge.close();
    latency.observe(0.05, { route: "/a" });
    expect(latency.onObserve(() => {})).toBeTypeOf("function"); // close() removed the bridge's listener
    await provider.shutdown();
  });

  it("a family registered after the bridge is observed; constant labels follow setConstantLabels()", async () => {
    const { provider, collect } = sdk();
    const registry = new MetricsRegistry();
    const bridge = new GlobalMeterBridge(provider.getMeter("test"), registry, () => registry.collect());
    const jobs = registry.counter("app_jobs_total", "Jobs.", ["kind"]);
    jobs.inc({ kind: "x" }, 3);
    registry.gauge("app_depth", "Depth.").set(4);
    registry.setConstantLabels({ agent: "late", instance_id: "i-1" });
    bridge.sync();
    const exported = await collect();
    expect(exported.get("app_jobs")!.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ agent: "late", instance_id: "i-1", kind: "x" }, 3],
    ]);
    expect(exported.get("app_depth")!.dataPoints[0]!.value).toBe(4);
    jobs.inc({ kind: "x" });
    expect((await collect()).get("app_jobs")!.dataPoints[0]!.value).toBe(4);
    bridge.close();
    jobs.inc({ kind: "x" });
    // Detached: no longer observed (a cumulative SDK keeps reporting the last value it got, 4, not 5).
    expect((await collect()).get("app_jobs")?.dataPoints.map((p) => p.value) ?? []).not.toContain(5);
    await provider.shutdown();
  });

  it("two registries on one meter (two runtimes in a process) are told apart by their constant labels", async () => {
    const { provider, collect } = sdk();
    const meter = provider.getMeter("test");
    const bridges = ["i-1", "i-2"].map((id, n) => {
      const registry = new MetricsRegistry();
      registry.setConstantLabels({ instance_id: id });
      registry.counter("app_jobs_total", "Jobs.").inc(n + 1);
      const duration = registry.histogram("app_run_seconds", "Run.", [1]);
      for (let i = 0; i <= n; i++) duration.observe(0.5);
      return new GlobalMeterBridge(meter, registry, () => registry.collect());
    });
    const exported = await collect();
    const byInstance = (name: string) =>
      Object.fromEntries(exported.get(name)!.dataPoints.map((p) => [p.attributes["instance_id"], p.value]));
    expect(byInstance("app_jobs")).toEqual({ "i-1": 1, "i-2": 2 });
    // Observed before the bridges existed: not in the SDK's histogram (it counts what is observed from then on).
    expect(exported.get("app_run_seconds")?.dataPoints ?? []).toEqual([]);
    for (const bridge of bridges) bridge.close();
    await provider.shutdown();
  });
});

describe('runtime with exporter "global"', () => {
  it("warns when no MeterProvider is registered with @opentelemetry/api", async () => {
    const lines: string[] = [];
    const runtime = new AralRuntime(
      {
        observability: { metrics: { enabled: true, exporter: "global" } },
        lifecycle: { healthcheck: { enabled: false } },
      },
      { platform: createPlatform(), logSink: (line) => lines.push(line), handleSignals: false, env: {} },
    );
    await runtime.start();
    await runtime.stop();
    const warning = lines.map((line) => JSON.parse(line)).find((record) => record.event === "metrics.global");
    expect(warning).toMatchObject({ level: 40 });
    expect(warning.msg).toContain("no MeterProvider is registered");
  });
});
