import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLimitedFetch } from "../../src/resources/network.ts";
import { ConnectionLimitError, NetworkTimeoutError } from "../../src/resources/errors.ts";
import { TokenBucket } from "../../src/resources/token-bucket.ts";
import { Semaphore } from "../../src/resources/semaphore.ts";
import { ManualClock } from "@aral/platform";

let server: Server;
let base: string;
const arrivals: string[] = [];
const held = new Map<string, ServerResponse>();

function handler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  const id = url.searchParams.get("id") ?? "";
  if (url.pathname === "/hold") {
    arrivals.push(id);
    held.set(id, res);
    return;
  }
  if (url.pathname === "/slow") {
    const timer = setTimeout(() => res.end("late"), Number(url.searchParams.get("ms") ?? 500));
    res.on("close", () => clearTimeout(timer));
    return;
  }
  if (url.pathname === "/bytes") {
    const n = Number(url.searchParams.get("n"));
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(n) });
    res.end(Buffer.alloc(n, 0x61));
    return;
  }
  if (url.pathname === "/echo-length") {
    let length = 0;
    req.on("data", (chunk: Buffer) => (length += chunk.length));
    req.on("end", () => res.end(String(length)));
    return;
  }
  if (url.pathname === "/stall") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first part;");
    const timer = setTimeout(() => res.end("rest"), 30_000);
    res.on("close", () => clearTimeout(timer));
    return;
  }
  if (url.pathname === "/json") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  if (url.pathname === "/empty") {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
}

function release(id: string, body = `done ${id}`): void {
  held.get(id)!.end(body);
  held.delete(id);
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held.values()) res.end();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("createLimitedFetch", () => {
  it("runs at most `connections` requests at once; waiters start in FIFO order as slots free up", async () => {
    arrivals.length = 0;
    const limited = createLimitedFetch({ fetch, connections: 2 });
    const responses = ["a", "b", "c", "d"].map((id) => limited(`${base}/hold?id=${id}`));
    await until(() => arrivals.length === 2);
    expect(arrivals).toEqual(["a", "b"]);
    expect(limited.active).toBe(2);
    expect(limited.waiting).toBe(2);

    release("b");
    const b = await responses[1]!;
    // The slot is held until the body is consumed.
    await new Promise((r) => setTimeout(r, 30));
    expect(arrivals).toEqual(["a", "b"]);
    expect(await b.text()).toBe("done b");
    await until(() => arrivals.length === 3);
    expect(arrivals).toEqual(["a", "b", "c"]);

    release("a");
    expect(await (await responses[0]!).text()).toBe("done a");
    await until(() => arrivals.length === 4);
    expect(arrivals).toEqual(["a", "b", "c", "d"]);
    release("c");
    release("d");
    await Promise.all(responses.slice(2).map(async (r) => (await r).text()));
    expect(limited.active).toBe(0);
  });

  it("a caller that aborts while queued leaves the queue without taking a slot", async () => {
    arrivals.length = 0;
    const limited = createLimitedFetch({ fetch, connections: 1 });
    const first = limited(`${base}/hold?id=q1`);
    await until(() => arrivals.length === 1);
    const controller = new AbortController();
    const queued = limited(`${base}/hold?id=never`, { signal: controller.signal });
    expect(limited.waiting).toBe(1);
    controller.abort(new Error("not waiting any longer"));
    await expect(queued).rejects.toThrow("not waiting any longer");
    expect(limited.waiting).toBe(0);
    release("q1");
    await (await first).text();
    expect(arrivals).toEqual(["q1"]);
    expect(limited.active).toBe(0);
  });

  it("fails fast with ConnectionLimitError when told not to wait", async () => {
    arrivals.length = 0;
    const limited = createLimitedFetch({ fetch, connections: 1, waitForSlot: false });
    const first = limited(`${base}/hold?id=only`);
    await until(() => arrivals.length === 1);
    const error = await limited(`${base}/bytes?n=1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLimitError);
    expect(error).toMatchObject({ limit: 1, url: `${base}/bytes?n=1` });
    release("only");
    await (await first).text();
    expect(await (await limited(`${base}/bytes?n=3`)).text()).toBe("aaa");
  });

  it("a cancelled body, a body-less response and a failed request all give their slot back", async () => {
    const limited = createLimitedFetch({ fetch, connections: 1 });
    const big = await limited(`${base}/bytes?n=1000000`);
    expect(limited.active).toBe(1);
    await big.body!.cancel();
    expect(limited.active).toBe(0);
    const empty = await limited(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(limited.active).toBe(0);
    await expect(limited("http://127.0.0.1:1/refused")).rejects.toThrow();
    expect(limited.active).toBe(0);
    const ok = await limited(`${base}/bytes?n=2`);
    expect(ok.url).toBe(`${base}/bytes?n=2`);
    expect(await ok.text()).toBe("aa");
  });

  it("times out a request with NetworkTimeoutError naming the URL and the ms", async () => {
    // The server would answer after 30 s; the 1 s timeout must end the request long before that.
    const limited = createLimitedFetch({ fetch, connections: 1, timeout: 1000 });
    const started = Date.now();
    const error = await limited(`${base}/slow?ms=30000`).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error).toBeInstanceOf(NetworkTimeoutError);
    expect(error).toMatchObject({ url: `${base}/slow?ms=30000`, timeoutMs: 1000 });
    expect((error as Error).message).toContain("1000 ms");
    expect(limited.active).toBe(0);
    expect(await (await limited(`${base}/slow?ms=10`)).text()).toBe("late");
  });

  it("the timeout also covers a body that stalls: the read fails with NetworkTimeoutError and the slot is freed", async () => {
    const limited = createLimitedFetch({ fetch, connections: 1, timeout: 500 });
    const response = await limited(`${base}/stall`);
    expect(response.status).toBe(200);
    expect(limited.active).toBe(1);
    await until(() => limited.active === 0, 20_000);
    await expect(response.text()).rejects.toBeInstanceOf(NetworkTimeoutError);

    const streamed = await limited(`${base}/stall`);
    const reader = streamed.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first part;");
    await expect(reader.read()).rejects.toBeInstanceOf(NetworkTimeoutError);
    expect(limited.active).toBe(0);
  });

  it("keeps the runtime's own response (url, headers, json()) and frees the slot after each way of reading it", async () => {
    const limited = createLimitedFetch({ fetch, connections: 1 });
    const first = await limited(`${base}/json`);
    expect(first).toBeInstanceOf(Response);
    expect(first.url).toBe(`${base}/json`);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(await first.json()).toEqual({ ok: true });
    expect(first.bodyUsed).toBe(true);
    expect(limited.active).toBe(0);
    const second = await limited(`${base}/bytes?n=5`);
    let text = "";
    for await (const chunk of second.body as unknown as AsyncIterable<Uint8Array>)
      text += new TextDecoder().decode(chunk);
    expect(text).toBe("aaaaa");
    expect(limited.active).toBe(0);
    const third = await limited(`${base}/bytes?n=4`);
    expect(new Uint8Array(await third.arrayBuffer())).toHaveLength(4);
    expect(limited.active).toBe(0);
  });

  it("composes the caller's signal with the timeout: the caller's abort reason wins", async () => {
    const limited = createLimitedFetch({ fetch, timeout: 5000 });
    const controller = new AbortController();
    const pending = limited(`${base}/slow?ms=2000`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user cancelled")), 30);
    await expect(pending).rejects.toThrow("user cancelled");
  });

  it("caps response bodies at the bandwidth (token bucket) and delivers every byte", async () => {
    // 2 Mbps = 250 000 bytes/s; 100 000 bytes minus the 12 500-byte burst take at least 0.35 s.
    const limited = createLimitedFetch({ fetch, bandwidth: "2Mbps" });
    const started = performance.now();
    const body = new Uint8Array(await (await limited(`${base}/bytes?n=100000`)).arrayBuffer());
    const elapsed = performance.now() - started;
    expect(body.byteLength).toBe(100_000);
    expect(body.every((b) => b === 0x61)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(330);
    expect(elapsed).toBeLessThan(3000);
  });

  it("caps request bodies at the bandwidth too", async () => {
    const limited = createLimitedFetch({ fetch, bandwidth: "2Mbps" });
    const started = performance.now();
    const response = await limited(`${base}/echo-length`, { method: "POST", body: new Uint8Array(100_000) });
    const elapsed = performance.now() - started;
    expect(await response.text()).toBe("100000");
    expect(elapsed).toBeGreaterThanOrEqual(330);
  });

  it("counts response bytes as bodies are read, by every way of reading (and with a bandwidth cap)", async () => {
    const limited = createLimitedFetch({ fetch });
    await (await limited(`${base}/bytes?n=1000`)).arrayBuffer();
    expect(limited.responseBytes).toBe(1000);
    expect(await (await limited(`${base}/json`)).json()).toEqual({ ok: true });
    expect(limited.responseBytes).toBe(1011);
    expect((await (await limited(`${base}/bytes?n=5`)).text()).length).toBe(5);
    expect((await (await limited(`${base}/bytes?n=7`)).blob()).size).toBe(7);
    const reader = (await limited(`${base}/bytes?n=70000`)).body!.getReader();
    let streamed = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      streamed += chunk.value.byteLength;
      expect(limited.responseBytes).toBe(1023 + streamed); // counted per chunk, while the body streams
    }
    expect(streamed).toBe(70_000);
    await (await limited(`${base}/empty`)).text();
    expect(limited.responseBytes).toBe(71_023);
    const capped = createLimitedFetch({ fetch, bandwidth: "80Mbps" });
    await (await capped(`${base}/bytes?n=3000`)).arrayBuffer();
    expect(capped.responseBytes).toBe(3000);
  });

  it("counts request bytes where the body's size is known, and every byte of a body paced by a bandwidth cap", async () => {
    const limited = createLimitedFetch({ fetch });
    const post = async (body: BodyInit) => (await limited(`${base}/echo-length`, { method: "POST", body })).text();
    expect(await post("héllo")).toBe("6"); // UTF-8: é is 2 bytes
    expect(await post("😀")).toBe("4");
    expect(await post(new Uint8Array(10))).toBe("10");
    expect(await post(new Blob(["abc"]))).toBe("3");
    expect(await post(new URLSearchParams({ q: "a b" }))).toBe("5"); // q=a+b
    expect(limited.requestBytes).toBe(6 + 4 + 10 + 3 + 5);
    const capped = createLimitedFetch({ fetch, bandwidth: "80Mbps" });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(700));
        controller.enqueue(new Uint8Array(300));
        controller.close();
      },
    });
    const init = { method: "POST", body: stream, duplex: "half" } as RequestInit;
    expect(await (await capped(`${base}/echo-length`, init)).text()).toBe("1000");
    expect(capped.requestBytes).toBe(1000);
  });

  it("counts uncapped stream bodies as they go out and FormData by its encoding, as the server receives them", async () => {
    const limited = createLimitedFetch({ fetch });
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 3) return controller.close();
        pulled++;
        controller.enqueue(new Uint8Array(400 * pulled));
      },
    });
    const init = { method: "POST", body: stream, duplex: "half" } as RequestInit;
    expect(await (await limited(`${base}/echo-length`, init)).text()).toBe("2400");
    expect(limited.requestBytes).toBe(2400);
    const form = new FormData();
    form.append("note", "héllo\r\nwörld");
    form.append("upload", new Blob([new Uint8Array(5000)], { type: "application/octet-stream" }), "data.bin");
    form.append("plain", new File(["x".repeat(123)], 'quo"te\n.txt'));
    const received = Number(await (await limited(`${base}/echo-length`, { method: "POST", body: form })).text());
    expect(received).toBeGreaterThan(5000 + 123);
    expect(limited.requestBytes).toBe(2400 + received);
  });

  it("rejects bad options by name", () => {
    expect(() => createLimitedFetch({ fetch, connections: 0 })).toThrow(/at least 1/);
    expect(() => createLimitedFetch({ fetch, timeout: -5 })).toThrow(/timeout/);
    expect(() => createLimitedFetch({ fetch, bandwidth: "100MBps" })).toThrow(/100MBps/);
    expect(() => createLimitedFetch({ fetch: undefined as never })).toThrow(/fetch/);
  });
});

describe("TokenBucket and Semaphore", () => {
  it("lets a burst through, then paces takers in arrival order at the rate", async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1000, { capacity: 100, clock });
    await bucket.take(100);
    const done: string[] = [];
    const first = bucket.take(500).then(() => done.push("first"));
    const second = bucket.take(500).then(() => done.push("second"));
    await clock.advance(499);
    expect(done).toEqual([]);
    await clock.advance(1);
    expect(done).toEqual(["first"]);
    await clock.advance(499);
    expect(done).toEqual(["first"]);
    await clock.advance(1);
    await Promise.all([first, second]);
    expect(done).toEqual(["first", "second"]);
  });

  it("an aborted take returns its tokens", async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1000, { capacity: 1000, clock });
    await bucket.take(1000);
    const controller = new AbortController();
    const aborted = bucket.take(1000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    let done = false;
    const next = bucket.take(500).then(() => (done = true));
    await clock.advance(500);
    await next;
    expect(done).toBe(true);
  });

  it("reserved slots count against the limit; lowering the reservation grants waiters in order", async () => {
    const sem = new Semaphore(2);
    sem.reserve(2);
    expect(sem.tryAcquire()).toBeNull();
    const order: number[] = [];
    const waitFor = (n: number) =>
      sem.acquire().then((release) => {
        order.push(n);
        return release;
      });
    const w1 = waitFor(1);
    const w2 = waitFor(2);
    sem.reserve(1);
    const r1 = await w1;
    expect([order, sem.active, sem.waiting]).toEqual([[1], 1, 1]);
    sem.reserve(0);
    const r2 = await w2;
    expect([order, sem.active]).toEqual([[1, 2], 2]);
    sem.reserve(1); // held by a lease while both slots are busy: the next release frees nothing
    r1();
    expect(sem.tryAcquire()).toBeNull();
    r2();
    expect(sem.tryAcquire()).not.toBeNull();
  });

  it("the semaphore hands a freed slot to the oldest waiter and release is idempotent", async () => {
    const sem = new Semaphore(1);
    const r1 = await sem.acquire();
    const order: number[] = [];
    const w2 = sem.acquire().then((r) => {
      order.push(2);
      return r;
    });
    const w3 = sem.acquire().then((r) => {
      order.push(3);
      return r;
    });
    r1();
    r1();
    const r2 = await w2;
    expect(sem.active).toBe(1);
    expect(sem.tryAcquire()).toBeNull();
    r2();
    (await w3)();
    expect(order).toEqual([2, 3]);
    expect(sem.active).toBe(0);
  });
});
