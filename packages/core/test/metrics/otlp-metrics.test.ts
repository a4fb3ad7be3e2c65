// The OTLP metrics export on its own: the registry as an ExportMetricsServiceRequest, and the periodic exporter against
// a real HTTP receiver on 127.0.0.1 (the agent-level test on Node, Deno and Bun is packages/aral/test/observe.test.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../src/metrics/index.ts";
import { OtlpMetricsExporter } from "../../src/metrics/otlp-metrics-exporter.ts";
import { metricsExportRequest } from "../../src/metrics/otlp-metrics-json.ts";

function registryWithOneOfEach(): MetricsRegistry {
  const registry = new MetricsRegistry();
  registry.counter("jobs_total", "Jobs.", ["kind"]).inc({ kind: "a" }, 3);
  registry.gauge("queue_depth_bytes", "Depth.").set(7);
  const histogram = registry.histogram("work_seconds", "Work.", [0.1, 1]);
  for (const value of [0.05, 0.5, 0.7, 5]) histogram.observe(value);
  return registry;
}

describe("metricsExportRequest", () => {
  it("maps counters to monotonic cumulative Sums, gauges to Gauges, histograms to Histograms with explicitBounds", () => {
    const body = JSON.parse(
      metricsExportRequest(
        { "service.name": "svc" },
        { name: "@aral/core", version: "0" },
        registryWithOneOfEach().collect(),
        1_000,
        2_000.5,
      ),
    );
    expect(body.resourceMetrics[0].resource.attributes).toEqual([
      { key: "service.name", value: { stringValue: "svc" } },
    ]);
    const [sum, gauge, histogram] = body.resourceMetrics[0].scopeMetrics[0].metrics;
    expect(sum).toEqual({
      name: "jobs",
      description: "Jobs.",
      unit: "",
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [
          {
            attributes: [{ key: "kind", value: { stringValue: "a" } }],
            startTimeUnixNano: "1000000000",
            timeUnixNano: "2000500000",
            asDouble: 3,
          },
        ],
      },
    });
    expect(gauge).toEqual({
      name: "queue_depth_bytes",
      description: "Depth.",
      unit: "By",
      gauge: { dataPoints: [{ attributes: [], timeUnixNano: "2000500000", asDouble: 7 }] },
    });
    expect(histogram.unit).toBe("s");
    expect(histogram.histogram.aggregationTemporality).toBe(2);
    expect(histogram.histogram.dataPoints[0]).toMatchObject({
      count: "4",
      sum: 6.25,
      bucketCounts: ["1", "2", "1"], // per bucket, not cumulative; the last is +Inf
      explicitBounds: [0.1, 1],
    });
  });
});

describe("OtlpMetricsExporter", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function receiver(status = 200): Promise<{ url: string; bodies: any[] }> {
    const bodies: any[] = [];
    server = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        bodies.push({ path: request.url, contentType: request.headers["content-type"], ...JSON.parse(text) });
        response.writeHead(status).end("{}");
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, bodies };
  }

  const settings = (endpoint: string, intervalMs: number) => ({
    endpoint,
    headers: { authorization: "Bearer t" },
    intervalMs,
    resource: { "service.name": "svc" },
  });

  it("exports every interval while started and once more at stop, with the values of that moment", async () => {
    const { url, bodies } = await receiver();
    const registry = registryWithOneOfEach();
    const jobs = registry.counter("jobs_total", "Jobs.", ["kind"]);
    const exporter = new OtlpMetricsExporter(settings(url, 50), {
      read: () => registry.collect(),
      fetch: (input, init) => fetch(input, init),
    });
    exporter.start();
    const deadline = Date.now() + 30_000;
    while (bodies.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    jobs.inc({ kind: "a" }, 10);
    await exporter.stop();
    const count = bodies.length;
    const last = bodies.at(-1);
    expect(last.path).toBe("/v1/metrics");
    expect(last.contentType).toBe("application/json");
    expect(last.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asDouble).toBe(13);
    // Stopped: no more exports.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bodies.length).toBe(count);
  });

  it("reports a collector's error status and an unreachable collector to onError, without throwing", async () => {
    const { url } = await receiver(503);
    const errors: string[] = [];
    const registry = registryWithOneOfEach();
    const failing = new OtlpMetricsExporter(settings(url, 60_000), {
      read: () => registry.collect(),
      fetch: (input, init) => fetch(input, init),
      onError: (error) => errors.push(error.message),
    });
    await failing.stop();
    expect(errors).toEqual([`OTLP metrics export to ${url} answered HTTP 503`]);

    const unreachable = new OtlpMetricsExporter(settings("http://127.0.0.1:1/v1/metrics", 60_000), {
      read: () => registry.collect(),
      fetch: (input, init) => fetch(input, init),
      onError: (error) => errors.push(error.message),
    });
    await unreachable.stop();
    expect(errors).toHaveLength(2);
  });
});
