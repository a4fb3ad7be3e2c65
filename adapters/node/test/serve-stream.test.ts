import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietly } from "./quietly.ts";
import type { Server } from "@aral/platform";
import { createPlatform } from "../src/index.ts";

// How net.serve (Node) sends a ReadableStream body: what the stream has ready at once goes out whole with a
// content-length, the rest chunked with backpressure; aborts and failures reach the stream and the client.

const platform = createPlatform();
let server: Server;
let handler: (request: Request) => Response = () => new Response("ok");

beforeAll(async () => {
  server = await platform.net.serve((request) => handler(request), { port: 0 });
});

afterAll(async () => {
  await server.close();
});

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(url = server.url): Promise<Received> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/** A stream of `count` chunks of `size` bytes, chunk i filled with (i + offset) & 255, all queued at start. */
function queued(count: number, size: number, offset = 0): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < count; i++) controller.enqueue(new Uint8Array(size).fill((i + offset) & 255));
      controller.close();
    },
  });
}

function expectChunks(body: Buffer, count: number, size: number, offset = 0): void {
  expect(body.byteLength).toBe(count * size);
  for (let i = 0; i < count; i++) {
    const part = body.subarray(i * size, (i + 1) * size);
    expect(
      part.every((byte) => byte === ((i + offset) & 255)),
      `chunk ${i} in place and intact`,
    ).toBe(true);
  }
}

/** Polls `probe` until it holds or `ms` have passed. */
async function until(probe: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("net.serve (Node): stream bodies", () => {
  it("a stream whose chunks are all there at once goes out whole and in order, with a content-length", async () => {
    // small (joined into one write with the headers) and larger (one write per chunk); every byte value survives
    for (const [count, size] of [
      [3, 256],
      [16, 4096],
    ] as const) {
      handler = () => new Response(queued(count, size, 7));
      const { headers, body } = await get();
      expect(headers["content-length"]).toBe(String(count * size));
      expect(headers["transfer-encoding"]).toBeUndefined();
      expectChunks(body, count, size, 7);
    }
  });

  it("a stream made by its source without waiting counts as there at once; an empty one sends no body", async () => {
    let pulls = 0;
    handler = () =>
      new Response(
        new ReadableStream({
          async pull(controller) {
            await Promise.resolve();
            controller.enqueue(new Uint8Array(1000).fill(pulls));
            if (++pulls === 5) controller.close();
          },
        }),
      );
    const whole = await get();
    expect(whole.headers["content-length"]).toBe("5000");
    expectChunks(whole.body, 5, 1000);

    handler = () => new Response(queued(0, 0));
    const empty = await get();
    expect(empty.headers["content-length"]).toBe("0");
    expect(empty.body.byteLength).toBe(0);
  });

  it("a queued stream larger than one turn gathers goes out chunked, complete and in order", async () => {
    handler = () => new Response(queued(300, 1024));
    const { headers, body } = await get();
    expect(headers["transfer-encoding"]).toBe("chunked");
    expect(headers["content-length"]).toBeUndefined();
    expectChunks(body, 300, 1024);
  });

  it("chunks ready at once go out with the headers; the rest follows as it comes", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    handler = () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("one;"));
            controller.enqueue(new TextEncoder().encode("two;"));
            await released;
            controller.enqueue(new TextEncoder().encode("three"));
            controller.close();
          },
        }),
      );
    const text = await new Promise<string>((resolve, reject) => {
      http.get(server.url, (res) => {
        expect(res.headers["transfer-encoding"]).toBe("chunked");
        let seen = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          seen += chunk;
          if (seen === "one;two;") release(); // all that was ready arrived before the stream went on
        });
        res.on("end", () => resolve(seen));
        res.on("error", reject);
      });
    });
    expect(text).toBe("one;two;three");
  });

  it("a client that stops reading holds the stream back (backpressure); reading on gets all of it", async () => {
    const CHUNK = 64 * 1024;
    const CHUNKS = 1024; // 64 MiB: far more than the socket buffers hold
    let produced = 0;
    handler = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(CHUNK).fill(produced & 255));
            if (++produced === CHUNKS) controller.close();
          },
        }),
      );
    const socket = net.connect(server.port, "127.0.0.1");
    socket.write(`GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
    socket.pause();
    // production stops while nobody reads: the same count over a second of polls
    let last = -1;
    let steadySince = Date.now();
    await until(() => {
      if (produced !== last) [last, steadySince] = [produced, Date.now()];
      return produced > 0 && Date.now() - steadySince > 1000;
    }, "the producer to be held back");
    expect(produced).toBeLessThan(CHUNKS / 2);

    let received = 0;
    let bodyStart = -1;
    let head = "";
    socket.on("data", (data: Buffer) => {
      if (bodyStart < 0) {
        head += data.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        bodyStart = end + 4;
        data = Buffer.from(head.slice(bodyStart), "latin1");
      }
      received += data.byteLength;
    });
    socket.resume();
    await new Promise((resolve) => socket.on("end", resolve));
    expect(produced).toBe(CHUNKS);
    // chunked framing adds a few bytes per chunk on top of the body
    expect(received).toBeGreaterThanOrEqual(CHUNKS * CHUNK);
    expect(head.slice(0, bodyStart)).toMatch(/transfer-encoding: chunked/i);
  });

  it("a client that goes away mid-stream cancels the body stream", async () => {
    let cancelled: unknown = "not cancelled";
    handler = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(64 * 1024));
          },
          cancel(reason) {
            cancelled = reason;
          },
        }),
      );
    await new Promise<void>((resolve, reject) => {
      const request = http.get(server.url, (res) => {
        res.once("data", () => {
          request.destroy();
          resolve();
        });
      });
      request.on("error", () => {});
      request.on("close", resolve);
      setTimeout(() => reject(new Error("no response data")), 10_000).unref();
    });
    await until(() => cancelled !== "not cancelled", "the body stream to be cancelled");
  });

  it("a stream that fails after its headers went out truncates the response; a chunk that is no bytes fails it", async () => {
    let release!: () => void;
    handler = () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("partial"));
            await new Promise<void>((resolve) => (release = resolve));
            controller.error(new Error("producer failed late"));
          },
        }),
      );
    const late = await quietly(
      () =>
        new Promise<void>((resolve, reject) => {
          http.get(server.url, (res) => {
            let seen = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              seen += chunk;
              release();
            });
            res.on("end", () => reject(new Error(`a complete response: ${seen}`)));
            res.on("error", () => {
              expect(seen).toBe("partial");
              resolve();
            });
          });
        }),
    );
    expect(late.map(String)).toEqual([expect.stringMatching(/producer failed late/)]);

    handler = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue("text" as unknown as Uint8Array);
            controller.close();
          },
        }),
      );
    const wrong = await quietly(() => expect(get()).rejects.toThrow());
    expect(wrong.map(String)).toEqual([expect.stringMatching(/TypeError: .*not a Uint8Array/)]);
  });
});
