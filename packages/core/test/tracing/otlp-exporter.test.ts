// The built-in OTLP/HTTP trace exporter against a real receiver on 127.0.0.1 that answers, or holds every request
// without answering (a hung collector): bounded memory, one request at a time, a per-request timeout, a bounded flush.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OtlpHttpExporter, type SpanRecord } from "../../src/tracing/index.ts";
import { until, within } from "../wait.ts";

interface Received {
  contentType: string | string[] | undefined;
  authorization: string | undefined;
  spans: number;
}

interface Collector {
  url: string;
  received: Received[];
  /** Requests held without an answer, in arrival order; `closed` resolves when the client gives up on it. */
  held: { response: ServerResponse; closed: Promise<void> }[];
  /** "hang": hold each request; "answer": 200 at once. */
  mode: "hang" | "answer";
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function collector(mode: Collector["mode"]): Promise<Collector> {
  const state: Collector = { url: "", received: [], held: [], mode };
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      const body = JSON.parse(text);
      state.received.push({
        contentType: request.headers["content-type"],
        authorization: request.headers.authorization,
        spans: body.resourceSpans[0].scopeSpans[0].spans.length,
      });
      if (state.mode === "hang") {
        state.held.push({ response, closed: new Promise((resolve) => response.on("close", () => resolve())) });
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return state;
}

function span(i: number): SpanRecord {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: i.toString(16).padStart(16, "0"),
    name: `span-${i}`,
    kind: 1,
    startTimeUnixNano: "1000000000",
    endTimeUnixNano: "2000000000",
    attributes: [],
    events: [],
    status: { code: 0 },
  };
}

const scope = { name: "test", version: "0" };

describe("OtlpHttpExporter with a slow or hung collector", () => {
  it("holds at most maxQueued spans in total (waiting + in the request in flight); the oldest waiting are dropped and counted", async () => {
    const hung = await collector("hang");
    const errors: string[] = [];
    const exporter = new OtlpHttpExporter({
      endpoint: hung.url,
      resource: { "service.name": "svc" },
      scope,
      fetch: (input, init) => fetch(input, init),
      batchSize: 10,
      maxQueued: 50,
      timeoutMs: 60_000,
      onError: (error) => errors.push(error.message),
    });
    for (let i = 0; i < 100; i++) exporter.export(span(i));
    await until("hung.received.length === 1", () => hung.received.length === 1);
    // One request at a time: the rest wait for the hung one instead of piling up behind it.
    for (let i = 100; i < 1000; i++) exporter.export(span(i));
    expect(hung.received).toHaveLength(1);
    expect(hung.received[0]!.spans).toBe(10);
    // 10 in flight + 40 waiting = 50 held: every other span was dropped.
    expect(exporter.dropped).toBe(1000 - 50);
    // The flush at stop gives up at its deadline, aborts the hung request and counts what it leaves.
    await within("flush against a hung collector", exporter.flush(300), 5_000);
    expect(exporter.dropped).toBe(1000);
    expect(errors.at(-1)).toMatch(/flush did not finish within 300 ms; 50 span\(s\) dropped/);
    await within("the aborted request's connection closing", hung.held[0]!.closed, 5_000);
  });

  it("aborts a request with no answer after timeoutMs, says so, and sends the next batch", async () => {
    const c = await collector("hang");
    const errors: string[] = [];
    const exporter = new OtlpHttpExporter({
      endpoint: c.url,
      resource: { "service.name": "svc" },
      scope,
      fetch: (input, init) => fetch(input, init),
      batchSize: 5,
      delayMs: 10,
      timeoutMs: 200,
      onError: (error) => errors.push(error.message),
    });
    for (let i = 0; i < 5; i++) exporter.export(span(i));
    await until("c.received.length === 1", () => c.received.length === 1);
    c.mode = "answer";
    for (let i = 5; i < 10; i++) exporter.export(span(i));
    await until("c.received.length === 2", () => c.received.length === 2);
    expect(errors).toEqual([`OTLP export to ${c.url} timed out after 200 ms: aborted`]);
    await within("the timed-out request's connection closing", c.held[0]!.closed, 5_000);
    await within("flush", exporter.flush(), 5_000);
    expect(c.received.map((r) => r.spans)).toEqual([5, 5]);
  });

  it("sends one content-type, application/json, whatever case a user header Content-Type has", async () => {
    const c = await collector("answer");
    const exporter = new OtlpHttpExporter({
      endpoint: c.url,
      headers: { "Content-Type": "application/x-protobuf", authorization: "Bearer t" },
      resource: { "service.name": "svc" },
      scope,
      fetch: (input, init) => fetch(input, init),
    });
    exporter.export(span(1));
    await within("flush", exporter.flush(), 5_000);
    expect(c.received).toEqual([{ contentType: "application/json", authorization: "Bearer t", spans: 1 }]);
  });
});
