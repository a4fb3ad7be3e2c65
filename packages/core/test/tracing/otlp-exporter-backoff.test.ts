// The built-in OTLP/HTTP trace exporter after retryable failures, against real sockets on 127.0.0.1: a port nothing
// listens on (every connection refused at once) and a receiver that answers 503 before 200. Requests are counted
// over a window: a bound on how many, not on when each went.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OtlpHttpExporter, type SpanRecord } from "../../src/tracing/index.ts";
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

interface Receiver {
  url: string;
  /** The span names of every request, in arrival order. */
  requests: string[][];
  /** The answer to the request of this index (0-based). */
  answer: (index: number) => { status: number; headers?: Record<string, string> };
}

async function receiver(answer: Receiver["answer"]): Promise<Receiver> {
  const state: Receiver = { url: "", requests: [], answer };
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      const spans = JSON.parse(text).resourceSpans[0].scopeSpans[0].spans as { name: string }[];
      const index = state.requests.push(spans.map((s) => s.name)) - 1;
      const { status, headers } = state.answer(index);
      response.writeHead(status, { "content-type": "application/json", ...headers }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return state;
}

function span(i: number): SpanRecord {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: (i + 1).toString(16).padStart(16, "0"),
    name: `span-${i}`,
    kind: 1,
    startTimeUnixNano: "1000000000",
    endTimeUnixNano: "2000000000",
    attributes: [],
    events: [],
    status: { code: 0 },
  };
}

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `span-${from + i}`);

/** Resolves after `ms`: the length of a counting window, not a wait for something to happen. */
const windowOf = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exporter(endpoint: string, options: { backoff: { initialMs: number; maxMs: number }; maxQueued?: number }) {
  const errors: string[] = [];
  const counted = { requests: 0 };
  const instance = new OtlpHttpExporter({
    endpoint,
    resource: { "service.name": "svc" },
    scope: { name: "test", version: "0" },
    fetch: (input, init) => {
      counted.requests++;
      return fetch(input, init);
    },
    batchSize: 10,
    delayMs: 10,
    timeoutMs: 5_000,
    maxQueued: options.maxQueued ?? 100,
    backoff: options.backoff,
    onError: (error) => errors.push(error.message),
  });
  return { exporter: instance, errors, counted };
}

describe("OtlpHttpExporter backs off after retryable failures", () => {
  it("against a port that refuses at once: a bounded number of requests per window (not one per batch), spans past maxQueued dropped and reported, still retrying", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/traces`;
    const { exporter: traces, errors, counted } = exporter(url, { backoff: { initialMs: 100, maxMs: 400 } });
    // Ten full batches at once: without a backoff each refusal starts the next request (and the failed batch would
    // be retried at once), thousands of requests a second.
    for (let i = 0; i < 100; i++) traces.export(span(i));
    await until("the first refusal reported", () => errors.length >= 1);
    expect(errors[0]).toMatch(
      new RegExp(`^OTLP export to ${url} failed: .+; 10 span\\(s\\) kept, sent again in \\d+ ms$`),
    );
    const before = counted.requests;
    await windowOf(1_000);
    // Waits of at least 50, 100, 200, 200... ms (the upper half of 100, 200, 400, 400...): at most 6 in 1 s.
    expect(counted.requests - before).toBeLessThanOrEqual(7);
    // Spans that come meanwhile push the oldest held out: counted, and reported with the next failed request.
    for (let i = 100; i < 150; i++) traces.export(span(i));
    expect(traces.dropped).toBe(50);
    await until("the drops reported", () => errors.some((e) => e.includes("50 span(s) dropped")));
    await until("more retries", () => counted.requests >= before + 3);
    // The flush at stop tries once at once (no waiting out the backoff), then drops what is left: a stop is not held
    // for its whole deadline by a collector that is down.
    const beforeFlush = counted.requests;
    const reported = errors.length;
    await within("flush against a refusing collector", traces.flush(60_000), 2_000);
    expect(counted.requests - beforeFlush).toBeLessThanOrEqual(1);
    expect(traces.dropped).toBe(150);
    expect(errors.at(-1)).toBe(`OTLP export to ${url}: flush stopped at a retryable failure; 100 span(s) dropped`);
    expect(errors.slice(reported, -1).every((e) => !e.includes("sent again"))).toBe(true);
  });

  it("sends the same batch again after 503s and stops retrying it once it is accepted", async () => {
    const c = await receiver((index) => ({ status: index < 2 ? 503 : 200 }));
    const { exporter: traces, errors, counted } = exporter(c.url, { backoff: { initialMs: 20, maxMs: 100 } });
    for (let i = 0; i < 10; i++) traces.export(span(i));
    await until("the third request", () => c.requests.length === 3);
    expect(c.requests).toEqual([names(0, 10), names(0, 10), names(0, 10)]);
    expect(errors).toHaveLength(2);
    for (const error of errors)
      expect(error).toMatch(
        new RegExp(`^OTLP export to ${c.url} answered HTTP 503; 10 span\\(s\\) kept, sent again in \\d+ ms$`),
      );
    await within("flush", traces.flush(), 5_000);
    expect(counted.requests).toBe(3);
    expect(traces.dropped).toBe(0);
  });

  it("waits a Retry-After (no request meanwhile); a flush sends at once whatever is left of the wait", async () => {
    let answer = { status: 503, headers: { "retry-after": "30" } as Record<string, string> };
    const c = await receiver(() => answer);
    const { exporter: traces, errors } = exporter(c.url, { backoff: { initialMs: 10, maxMs: 100 } });
    for (let i = 0; i < 10; i++) traces.export(span(i));
    await until("the first request answered", () => errors.length === 1);
    expect(errors[0]).toMatch(/answered HTTP 503; 10 span\(s\) kept, sent again in 30000 ms$/);
    // Without the Retry-After the backoff (5..100 ms) would have sent it again several times by now.
    await windowOf(500);
    expect(c.requests).toHaveLength(1);
    answer = { status: 200, headers: {} };
    await within("flush during a 30 s wait", traces.flush(2_000), 1_500);
    expect(c.requests).toEqual([names(0, 10), names(0, 10)]);
    expect(traces.dropped).toBe(0);
  });

  it("does not send again a batch the collector refused for good (400), nor wait before the next one", async () => {
    const c = await receiver((index) => ({ status: index === 0 ? 400 : 200 }));
    const { exporter: traces, errors } = exporter(c.url, { backoff: { initialMs: 60_000, maxMs: 60_000 } });
    for (let i = 0; i < 10; i++) traces.export(span(i));
    await until("the first request answered", () => errors.length === 1);
    expect(errors).toEqual([`OTLP export to ${c.url} answered HTTP 400`]);
    for (let i = 10; i < 20; i++) traces.export(span(i));
    // A 60 s backoff would hold this batch past the test's deadline.
    await until("the second batch", () => c.requests.length === 2, 5_000);
    expect(c.requests).toEqual([names(0, 10), names(10, 20)]);
  });
});
