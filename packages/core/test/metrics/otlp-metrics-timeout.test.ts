// The OTLP metrics exporter against a real receiver on 127.0.0.1 that holds requests without answering (a hung
// collector): a per-request timeout, exports that go on after it, no pile-up, and a stop() that leaves no request
// behind.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../src/metrics/index.ts";
import { OtlpMetricsExporter } from "../../src/metrics/otlp-metrics-exporter.ts";
import { until, within } from "../wait.ts";

interface Collector {
  url: string;
  /** Requests received; `closed` resolves when the connection of one that was held ends. */
  requests: { contentType: string | string[] | undefined; closed: Promise<void> }[];
  /** Requests not answered so far. */
  held: number;
  /** Whether to hold the next requests without an answer. */
  hang: (index: number) => boolean;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function collector(hang: Collector["hang"]): Promise<Collector> {
  const state: Collector = { url: "", requests: [], held: 0, hang };
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const closed = new Promise<void>((resolve) => response.on("close", () => resolve()));
    request.resume();
    request.on("end", () => {
      const index = state.requests.push({ contentType: request.headers["content-type"], closed }) - 1;
      if (state.hang(index)) {
        state.held++;
        void closed.then(() => state.held--);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
  return state;
}

function exporter(url: string, options: { intervalMs: number; timeoutMs?: number }, errors: string[]) {
  const registry = new MetricsRegistry();
  registry.counter("jobs_total", "Jobs.").inc({}, 1);
  return new OtlpMetricsExporter(
    {
      endpoint: url,
      headers: { "Content-Type": "application/x-protobuf" },
      resource: { "service.name": "svc" },
      intervalMs: options.intervalMs,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
    {
      read: () => registry.collect(),
      fetch: (input, init) => fetch(input, init),
      onError: (error) => errors.push(error.message),
    },
  );
}

describe("OtlpMetricsExporter with a hung collector", () => {
  it("aborts a request with no answer after timeoutMs, warns, skips the intervals meanwhile and goes on exporting", async () => {
    const c = await collector((index) => index === 0);
    const errors: string[] = [];
    const metrics = exporter(c.url, { intervalMs: 20, timeoutMs: 300 }, errors);
    metrics.start();
    await until("c.requests.length >= 3", () => c.requests.length >= 3);
    // The first request was held 300 ms while the interval came every 20 ms: no second request went out meanwhile.
    expect(metrics.skipped).toBeGreaterThan(0);
    expect(errors[0]).toBe(`OTLP metrics export to ${c.url} timed out after 300 ms: aborted`);
    await within("the timed-out request's connection closing", c.requests[0]!.closed, 5_000);
    await within("stop", metrics.stop(), 5_000);
    expect(errors).toHaveLength(1);
    // One content-type, the one the body is in (a user's Content-Type header is dropped).
    expect(new Set(c.requests.map((r) => r.contentType))).toEqual(new Set(["application/json"]));
  });

  it("stop() aborts the request in flight (nothing left to hold the process) and sends the final export", async () => {
    const c = await collector((index) => index === 0);
    const errors: string[] = [];
    const metrics = exporter(c.url, { intervalMs: 20, timeoutMs: 60_000 }, errors);
    metrics.start();
    await until("c.held === 1", () => c.held === 1);
    await within("stop with a request in flight", metrics.stop(), 5_000);
    await within("the held request's connection closing", c.requests[0]!.closed, 5_000);
    expect(c.requests).toHaveLength(2);
    expect(c.held).toBe(0);
    // The aborted export was superseded by the final one: nothing to warn about.
    expect(errors).toEqual([]);
  });

  it("the final export at stop() is bounded by the timeout too, and reported", async () => {
    const c = await collector(() => true);
    const errors: string[] = [];
    const metrics = exporter(c.url, { intervalMs: 60_000, timeoutMs: 200 }, errors);
    await within("stop against a hung collector", metrics.stop(), 5_000);
    expect(errors).toEqual([`OTLP metrics export to ${c.url} timed out after 200 ms: aborted`]);
    await until("c.held === 0", () => c.held === 0, 5_000);
  });
});
