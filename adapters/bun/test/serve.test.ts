import { describe, expect, test } from "bun:test";
import { createPlatform } from "../src/index.ts";

const { net } = createPlatform();

describe("net.serve", () => {
  test("binds 127.0.0.1 on an ephemeral port and answers", async () => {
    const server = await net.serve(() => new Response("hi"));
    try {
      expect(server.hostname).toBe("127.0.0.1");
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const response = await net.fetch(`${server.url}/x`);
      expect([response.status, await response.text()]).toEqual([200, "hi"]);
    } finally {
      await server.close();
    }
  });
  test("request bodies stream in and response bodies stream out", async () => {
    const server = await net.serve(async (request) => {
      const body = new Uint8Array(await request.arrayBuffer());
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 3) controller.enqueue(new TextEncoder().encode(`${body.length};`));
            else controller.close();
          },
        }),
      );
    });
    try {
      const response = await net.fetch(server.url, { method: "POST", body: new Uint8Array(1 << 20) });
      expect(await response.text()).toBe("1048576;1048576;1048576;");
    } finally {
      await server.close();
    }
  });
  test("close() does not wait for a connection that never finishes its request headers, and still finishes a streaming response", async () => {
    const { connect } = await import("node:net");
    let streamed = 0;
    const server = await net.serve(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              await new Promise((resolve) => setTimeout(resolve, 20));
              if (streamed++ < 10) controller.enqueue(new TextEncoder().encode("x"));
              else controller.close();
            },
          }),
        ),
    );
    const half = connect(server.port, "127.0.0.1");
    await new Promise((resolve) => half.once("connect", resolve));
    half.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const halfClosed = new Promise((resolve) => half.once("close", resolve));
    half.on("error", () => {});
    const response = await net.fetch(server.url);
    const body = response.text();
    await server.close();
    expect(await body).toBe("xxxxxxxxxx");
    await halfClosed;
  }, 10_000);
  test("a throwing handler gives 500 and the server keeps running", async () => {
    const server = await net.serve((request) => {
      if (request.url.endsWith("/boom")) throw new Error("boom");
      if (request.url.endsWith("/reject")) return Promise.reject(new Error("nope"));
      return new Response("fine");
    });
    try {
      expect((await net.fetch(`${server.url}/boom`)).status).toBe(500);
      expect((await net.fetch(`${server.url}/reject`)).status).toBe(500);
      expect(await (await net.fetch(`${server.url}/ok`)).text()).toBe("fine");
    } finally {
      await server.close();
    }
  });
  test("close() waits for a slow in-flight request, refuses new ones, and may be called twice", async () => {
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await net.serve(async () => {
      entered();
      await released;
      return new Response("slow but complete");
    });
    const inFlight = net.fetch(server.url).then(async (r) => ({ status: r.status, text: await r.text() }));
    await handlerEntered;
    const closed = server.close().then(() => "closed");
    // close() must still be pending while the handler holds its answer (a bounded look, not a synchronisation)
    expect(await Promise.race([closed, Bun.sleep(200).then(() => "pending")])).toBe("pending");
    release();
    const [response] = await Promise.all([inFlight, closed]);
    expect(response.status).toBe(200);
    expect(response.text).toBe("slow but complete");
    await server.close();
    const refused = await net.fetch(server.url).then(
      () => "accepted",
      () => "refused",
    );
    expect(refused).toBe("refused");
  });
  test("aborting opts.signal closes the server", async () => {
    const controller = new AbortController();
    const server = await net.serve(() => new Response("x"), { signal: controller.signal });
    controller.abort();
    await server.close();
    expect(
      await net.fetch(server.url).then(
        () => "accepted",
        () => "refused",
      ),
    ).toBe("refused");
  });
  test("a port in use is a PlatformError; bad ports are TypeErrors", async () => {
    const first = await net.serve(() => new Response("x"));
    try {
      const error = await net.serve(() => new Response("y"), { port: first.port }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "PlatformError", syscall: "serve" });
    } finally {
      await first.close();
    }
    expect(await net.serve(() => new Response(""), { port: 70000 }).catch((e: unknown) => e)).toBeInstanceOf(TypeError);
  });
});
