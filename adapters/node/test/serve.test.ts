import http from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PlatformError } from "@aral/platform";
import type { Server } from "@aral/platform";
import { createPlatform, createPooledFetch } from "../src/index.ts";

const platform = createPlatform();
const { serve, fetch } = platform.net;
const servers: Server[] = [];

async function start(
  handler: (req: Request) => Response | Promise<Response>,
  opts: { signal?: AbortSignal } = {},
): Promise<Server> {
  const server = await serve(handler, opts);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  vi.restoreAllMocks();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("serve", () => {
  it("a request path that starts with // keeps its path and the real host in request.url (not http://health/)", async () => {
    const server = await start((req) => new Response(req.url));
    const get = (path: string, host?: string) =>
      new Promise<string>((resolve, reject) => {
        const request = http.get(
          { host: "127.0.0.1", port: server.port, path, ...(host === undefined ? {} : { headers: { host } }) },
          (response) => {
            let body = "";
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => resolve(body));
          },
        );
        request.on("error", reject);
      });
    expect(await get("//health/live?x=1")).toBe(`http://127.0.0.1:${server.port}//health/live?x=1`);
    expect(await get("//a//b", "agent.example:8080")).toBe("http://agent.example:8080//a//b");
    expect(await get("/plain")).toBe(`http://127.0.0.1:${server.port}/plain`);
  });

  it("hands the handler a full standard Request, built on demand: every member works, clone() included", async () => {
    const seen: Record<string, unknown> = {};
    const server = await start(async (req) => {
      seen.isRequest = req instanceof Request;
      seen.method = req.method;
      seen.url = req.url;
      seen.header = req.headers.get("x-probe");
      seen.aborted = req.signal.aborted;
      seen.cache = req.cache;
      seen.redirect = req.redirect;
      seen.tag = Object.prototype.toString.call(req);
      const copy = req.clone();
      seen.bodies = [await copy.text(), await req.text()];
      seen.bodyUsed = req.bodyUsed;
      return new Response("done");
    });
    const response = await fetch(`${server.url}/path?q=1`, {
      method: "POST",
      headers: { "x-probe": "yes" },
      body: "payload",
    });
    expect(await response.text()).toBe("done");
    expect(seen).toEqual({
      isRequest: true,
      method: "POST",
      url: `${server.url}/path?q=1`,
      header: "yes",
      aborted: false,
      cache: "default",
      redirect: "follow",
      tag: "[object Request]",
      bodies: ["payload", "payload"],
      bodyUsed: true,
    });
  });

  it("a one-chunk body goes out with a content-length, a streamed one chunked", async () => {
    const server = await start((req) =>
      new URL(req.url).pathname === "/whole"
        ? new Response("whole body")
        : new Response(
            new ReadableStream({
              async pull(controller) {
                await sleep(20);
                controller.enqueue(new TextEncoder().encode("x"));
                controller.close();
              },
            }),
          ),
    );
    const whole = await new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}/whole`, resolve));
    expect(whole.headers["content-length"]).toBe("10");
    whole.resume();
    const streamed = await new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}/streamed`, resolve));
    expect(streamed.headers["transfer-encoding"]).toBe("chunked");
    streamed.resume();
  });

  it("binds 127.0.0.1 on an ephemeral port and round-trips a streamed request body", async () => {
    const server = await start(async (req) => {
      const url = new URL(req.url);
      const headers = new Headers({ "x-method": req.method, "x-query": url.searchParams.get("q") ?? "" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(req.body, { status: 201, statusText: "Made", headers });
    });
    expect(server.hostname).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const chunks = ["one ", "two ", "three"];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        await sleep(5);
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await fetch(`${server.url}/echo?q=x`, { method: "PUT", body, duplex: "half" } as RequestInit);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Made");
    expect(response.headers.get("x-method")).toBe("PUT");
    expect(response.headers.get("x-query")).toBe("x");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.text()).toBe("one two three");
  });

  it("answers 500 when the handler throws or returns no Response, and keeps serving", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const server = await start((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/throw") throw new Error("boom");
      if (path === "/wrong") return "not a response" as unknown as Response;
      return new Response("fine");
    });
    expect((await fetch(`${server.url}/throw`)).status).toBe(500);
    expect((await fetch(`${server.url}/wrong`)).status).toBe(500);
    expect(await (await fetch(`${server.url}/ok`)).text()).toBe("fine");
    expect(logged).toHaveBeenCalledTimes(2);
  });

  it("sends headers of a slow streaming body before the body ends", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await start(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode("first;"));
              await released;
              controller.enqueue(new TextEncoder().encode("last"));
              controller.close();
            },
          }),
        ),
    );
    const response = await fetch(server.url); // would hang here if headers waited for the whole body
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first;");
    release();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("last");
  });

  it("close() lets an in-flight slow request finish, refuses new connections, and is idempotent", async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await start(async () => {
      entered();
      await released;
      return new Response("x".repeat(100_000));
    });
    const slow = fetch(server.url).then(async (r) => ({ status: r.status, length: (await r.text()).length }));
    await inHandler;
    let closedBeforeAnswer = true;
    const closing = server.close().then(() => closedBeforeAnswer);
    const again = server.close();
    await expect(createPooledFetch()(server.url)).rejects.toThrow();
    closedBeforeAnswer = false;
    release();
    expect(await slow).toEqual({ status: 200, length: 100_000 });
    const [early] = await Promise.all([closing, again]);
    expect(early).toBe(false);
  });

  it("close() does not wait for idle keep-alive sockets", async () => {
    const server = await start(() => new Response("hi"));
    const pooled = createPooledFetch({ keepAliveTimeoutMs: 60_000 });
    expect(await (await pooled(server.url)).text()).toBe("hi");
    const t0 = performance.now();
    await server.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await pooled.close();
  });

  it("a keep-alive socket whose response headers were out before close() is ended once it is done", async () => {
    const server = await start((req) => {
      if (new URL(req.url).pathname !== "/slow") return new Response("ok");
      return new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("head;"));
            await sleep(200);
            controller.enqueue(new TextEncoder().encode("tail"));
            controller.close();
          },
        }),
      );
    });
    const pooled = createPooledFetch({ connectionsPerOrigin: 1, keepAliveTimeoutMs: 60_000 });
    await (await pooled(server.url)).text(); // socket now open and reused below
    const response = await pooled(`${server.url}/slow`); // headers (keep-alive) are out
    const t0 = performance.now();
    const closing = server.close();
    expect(await response.text()).toBe("head;tail");
    await closing;
    expect(performance.now() - t0).toBeLessThan(1000);
    await pooled.close();
  });

  it("a request body the handler never reads does not stall the keep-alive connection", async () => {
    const server = await start(() => new Response("ok"));
    const pooled = createPooledFetch({ connectionsPerOrigin: 1 });
    for (let i = 0; i < 3; i++) {
      expect(await (await pooled(server.url, { method: "POST", body: new Uint8Array(1_000_000) })).text()).toBe("ok");
    }
    await pooled.close();
  });

  it("aborting opts.signal closes the server", async () => {
    const controller = new AbortController();
    const server = await start(() => new Response("ok"), { signal: controller.signal });
    expect((await fetch(server.url)).status).toBe(200);
    controller.abort();
    await server.close();
    await expect(createPooledFetch()(server.url)).rejects.toThrow();
  });

  it("aborts request.signal when the client goes away", async () => {
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const server = await start((req) => {
      req.signal.addEventListener("abort", () => aborted());
      entered();
      return new Promise<Response>(() => {}); // never answers
    });
    const client = new AbortController();
    const pending = fetch(server.url, { signal: client.signal }).catch(() => "aborted");
    await inHandler;
    client.abort();
    expect(await pending).toBe("aborted");
    await sawAbort;
  });

  it("a taken port is PlatformError AddrInUse, a bad port a TypeError", async () => {
    const server = await start(() => new Response("ok"));
    const error = await serve(() => new Response("no"), { port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "AddrInUse", syscall: "serve", path: `127.0.0.1:${server.port}` });
    await expect(serve(() => new Response("no"), { port: 70_000 })).rejects.toThrow(TypeError);
  });
});

describe("pooled fetch", () => {
  it("limits sockets per origin, per-origin overrides win", async () => {
    const sockets = new Set<unknown>();
    const server = http.createServer((_req, res) => setTimeout(() => res.end("ok"), 20));
    server.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const one = createPooledFetch({ connectionsPerOrigin: 1 });
      await Promise.all([1, 2, 3, 4].map(async () => (await one(origin)).text()));
      expect(sockets.size).toBe(1);
      await one.close();
      sockets.clear();
      const two = createPooledFetch({ connectionsPerOrigin: 1, originConnections: { [origin]: 2 } });
      await Promise.all([1, 2, 3, 4].map(async () => (await two(origin)).text()));
      expect(sockets.size).toBe(2);
      await two.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("rejects bad pool settings with a TypeError naming them", () => {
    expect(() => createPooledFetch({ connectionsPerOrigin: 0 })).toThrow(/connectionsPerOrigin/);
    expect(() => createPooledFetch({ originConnections: { "not a url": 2 } })).toThrow(/not a url/);
  });
});
