// The OTLP metrics exporter after retryable failures, against real sockets on 127.0.0.1: a port nothing listens on
// and a receiver that answers 503 before 200. Exports are counted over a window: a bound on how many, not on when.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../src/metrics/index.ts";
import { OtlpMetricsExporter } from "../../src/metrics/otlp-metrics-exporter.ts";
import { until, within } from "../wait.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A port on 127.0.0.1 that was just bound and released: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves after `ms`: the length of a counting window, not a wait for something to happen. */
const windowOf = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exporter(endpoint: string, intervalMs: number, backoff: { initialMs: number; maxMs: number }) {
  const registry = new MetricsRegistry();
  registry.counter("jobs_total", "Jobs.").inc({}, 1);
  const errors: string[] = [];
  const counted = { requests: 0 };
  const metrics = new OtlpMetricsExporter(
    { endpoint, headers: {}, resource: { "service.name": "svc" }, intervalMs, timeoutMs: 5_000, backoff },
    {
      read: () => registry.collect(),
      fetch: (input, init) => {
        counted.requests++;
        return fetch(input, init);
      },
      onError: (error) => errors.push(error.message),
    },
  );
  return { metrics, errors, counted };
}

describe("OtlpMetricsExporter backs off after retryable failures", () => {
  it("against a port that refuses at once: the intervals in the wait are skipped (a bounded number of requests per window), and stop() still sends the final export at once", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/metrics`;
    const { metrics, errors, counted } = exporter(url, 5, { initialMs: 100, maxMs: 400 });
    metrics.start();
    await until("the first refusal reported", () => errors.length >= 1);
    expect(errors[0]).toMatch(new RegExp(`^OTLP metrics export to ${url} failed: .+; no export for \\d+ ms$`));
    const before = counted.requests;
    await windowOf(1_000);
    // An interval every 5 ms is 200 exports a second; waits of at least 50, 100, 200, 200... ms leave at most 6.
    expect(counted.requests - before).toBeLessThanOrEqual(7);
    expect(metrics.skipped).toBeGreaterThan(50);
    await until("more retries", () => counted.requests >= before + 3);
    const beforeStop = counted.requests;
    const reported = errors.length;
    await within("stop during a backoff", metrics.stop(), 2_000);
    expect(counted.requests).toBe(beforeStop + 1);
    expect(errors.slice(reported)).toEqual([expect.stringMatching(/^OTLP metrics export to .+ failed: [^;]+$/)]);
  });

  it("after 503s exports again once answered, every interval", async () => {
    let requests = 0;
    server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        if (requests++ < 2) response.writeHead(503).end();
        else response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
    const { metrics, errors } = exporter(url, 5, { initialMs: 20, maxMs: 100 });
    metrics.start();
    // Answered: the wait is over for good, so the exports go on every interval (5 ms) again.
    await until("ten exports", () => requests >= 10);
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toMatch(/answered HTTP 503; no export for \d+ ms$/);
    await within("stop", metrics.stop(), 2_000);
  });
});
