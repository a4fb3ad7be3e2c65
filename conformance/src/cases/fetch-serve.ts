import type { Platform } from "@aral/platform";
import { bytesEqual, deepEqual, equal, fail, ok, rejects } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { patternedBytes, sleep, within } from "../harness/helpers.ts";
import { WAIT_MS, deferred, serveFor } from "../harness/serve.ts";

async function expectRefused(platform: Platform, url: string, what: string): Promise<void> {
  let response: Response | undefined;
  try {
    response = await within(platform.net.fetch(url, { signal: AbortSignal.timeout(3_000) }), 4_000, what);
  } catch (error) {
    if ((error as Error)?.name === "AssertionError") throw error;
    return; // refused, as it must be
  }
  fail(`${what}: expected the connection to be refused, got HTTP ${response.status}`);
}

export const fetchServeCases: ConformanceCase[] = defineCases([
  {
    name: "net: serve on a port already in use rejects PlatformError AddrInUse naming host:port; the first server keeps serving",
    capability: "net",
    async run(ctx) {
      const first = await serveFor(ctx, () => new Response("first"));
      await rejects(
        () => ctx.platform.net.serve(() => new Response("second"), { hostname: "127.0.0.1", port: first.port }),
        { code: "AddrInUse", path: `127.0.0.1:${first.port}` },
        "serve on a busy port",
      );
      equal(
        await (await ctx.platform.net.fetch(first.url)).text(),
        "first",
        "the first server after the refused second",
      );
    },
  },
  {
    name: "net: serve on port 0 picks a free port on 127.0.0.1 and reports hostname, port and url",
    capability: "net",
    async run(ctx) {
      const a = await serveFor(ctx, () => new Response("a"));
      const b = await serveFor(ctx, () => new Response("b"));
      for (const s of [a, b]) {
        ok(
          Number.isInteger(s.port) && s.port > 0 && s.port < 65536,
          `server.port must be the real port, got ${s.port}`,
        );
        equal(s.hostname, "127.0.0.1", "server.hostname (default)");
        equal(s.url, `http://127.0.0.1:${s.port}`, "server.url");
      }
      ok(a.port !== b.port, `two servers on port 0 must get different ports, both got ${a.port}`);
      equal(await (await ctx.platform.net.fetch(a.url)).text(), "a", "body from the first server");
      equal(await (await ctx.platform.net.fetch(`${b.url}/`)).text(), "b", "body from the second server");
    },
  },
  {
    name: "net: fetch ↔ serve round trip of method, path, query, headers, status and a binary body",
    capability: "net",
    async run(ctx) {
      const body = patternedBytes(256 * 1024 + 9, 3);
      const server = await serveFor(ctx, async (req) => {
        const url = new URL(req.url);
        const received = new Uint8Array(await req.arrayBuffer());
        return new Response(received, {
          status: 201,
          headers: {
            "x-seen-method": req.method,
            "x-seen-path": `${url.pathname}${url.search}`,
            "x-seen-header": req.headers.get("x-aral-test") ?? "<missing>",
            "x-seen-length": String(received.byteLength),
            "content-type": "application/octet-stream",
          },
        });
      });
      const response = await ctx.platform.net.fetch(`${server.url}/echo/path?q=1&r=two`, {
        method: "POST",
        headers: { "x-aral-test": "hello ARAL" },
        body,
      });
      equal(response.status, 201, "response.status");
      deepEqual(
        ["x-seen-method", "x-seen-path", "x-seen-header", "x-seen-length"].map((h) => response.headers.get(h)),
        ["POST", "/echo/path?q=1&r=two", "hello ARAL", String(body.byteLength)],
        "what the handler saw (method, path+query, header, body length)",
      );
      bytesEqual(new Uint8Array(await response.arrayBuffer()), body, "echoed body");
      for (const method of ["PUT", "PATCH", "DELETE", "GET"]) {
        const r = await ctx.platform.net.fetch(`${server.url}/m`, method === "GET" ? {} : { method, body: method });
        equal(r.headers.get("x-seen-method"), method, `method seen for ${method}`);
        equal(await r.text(), method === "GET" ? "" : method, `body echoed for ${method}`);
      }
    },
  },
  {
    name: "net: a handler's status codes and headers reach the client (404, 204 without body)",
    capability: "net",
    async run(ctx) {
      const server = await serveFor(ctx, (req) =>
        new URL(req.url).pathname === "/empty"
          ? new Response(null, { status: 204 })
          : new Response("nothing here", { status: 404, headers: { "x-kind": "missing" } }),
      );
      const missing = await ctx.platform.net.fetch(`${server.url}/nope`);
      deepEqual(
        [missing.status, missing.headers.get("x-kind"), await missing.text()],
        [404, "missing", "nothing here"],
        "404 response",
      );
      const empty = await ctx.platform.net.fetch(`${server.url}/empty`);
      deepEqual([empty.status, await empty.text()], [204, ""], "204 response");
    },
  },
  {
    name: "net: a response keeps its bytes, set-cookie list and JSON; Responses from before serve and from fetch stay instanceof Response",
    capability: "net",
    async run(ctx) {
      const madeBefore = new Response("made before serve");
      const server = await serveFor(ctx, (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/json") return Response.json({ ok: [1, "two"] }, { status: 202 });
        if (path === "/cookies") {
          const headers = new Headers({ "x-one": "1" });
          headers.append("set-cookie", "a=1; Path=/");
          headers.append("set-cookie", "b=2; Path=/");
          return new Response("cookies", { headers });
        }
        // the standard Response copies its bytes: changing them afterwards must not reach the client
        const scratch = patternedBytes(48 * 1024, 5);
        const response = new Response(scratch);
        scratch.fill(0);
        return response;
      });
      bytesEqual(
        new Uint8Array(await (await ctx.platform.net.fetch(`${server.url}/bytes`)).arrayBuffer()),
        patternedBytes(48 * 1024, 5),
        "bytes as they were at new Response()",
      );
      const json = await ctx.platform.net.fetch(`${server.url}/json`);
      deepEqual(
        [json.status, json.headers.get("content-type")?.startsWith("application/json"), await json.json()],
        [202, true, { ok: [1, "two"] }],
        "Response.json with a status",
      );
      const cookies = await ctx.platform.net.fetch(`${server.url}/cookies`);
      deepEqual(
        [cookies.headers.getSetCookie(), cookies.headers.get("x-one"), await cookies.text()],
        [["a=1; Path=/", "b=2; Path=/"], "1", "cookies"],
        "two set-cookie headers",
      );
      ok(madeBefore instanceof Response, "a Response made before serve is instanceof Response");
      equal(await madeBefore.text(), "made before serve", "a Response made before serve reads");
      ok(json instanceof Response, "a fetched Response is instanceof Response");
      ok(Response.error() instanceof Response, "Response.error() is instanceof Response");
    },
  },
  {
    name: "net: a streamed response reaches the client chunk by chunk, before the handler's stream ends",
    capability: "net",
    async run(ctx) {
      const firstSeen = deferred();
      const server = await serveFor(
        ctx,
        () =>
          new Response(
            new ReadableStream<Uint8Array>({
              async start(controller) {
                controller.enqueue(new TextEncoder().encode("chunk-1;"));
                await Promise.race([firstSeen.promise, sleep(WAIT_MS)]);
                controller.enqueue(new TextEncoder().encode("chunk-2;"));
                controller.close();
              },
            }),
            { headers: { "content-type": "text/plain" } },
          ),
      );
      const response = await ctx.platform.net.fetch(server.url);
      ok(response.body, "the response must have a body stream");
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (!text.includes("chunk-1;")) {
        const { done, value } = await within(
          reader.read(),
          3_000,
          "the first chunk of a streamed response arriving while the handler still holds the rest",
        );
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      equal(text, "chunk-1;", "text received before the handler sends the second chunk");
      firstSeen.resolve();
      for (;;) {
        const { done, value } = await within(reader.read(), WAIT_MS, "the rest of the streamed response");
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      equal(text, "chunk-1;chunk-2;", "the whole streamed response");
    },
  },
  {
    name: "net: a throwing handler yields 500 and the server keeps serving",
    capability: "net",
    async run(ctx) {
      const server = await serveFor(ctx, async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/throw") throw new Error("handler failure on purpose");
        if (path === "/reject") return Promise.reject(new Error("async handler failure on purpose"));
        return new Response("still serving");
      });
      const thrown = await ctx.platform.net.fetch(`${server.url}/throw`);
      equal(thrown.status, 500, "status when the handler throws");
      await thrown.arrayBuffer();
      const rejected = await ctx.platform.net.fetch(`${server.url}/reject`);
      equal(rejected.status, 500, "status when the handler's promise rejects");
      await rejected.arrayBuffer();
      await sleep(250);
      for (const attempt of [1, 2]) {
        const fine = await within(
          ctx.platform.net.fetch(`${server.url}/ok`).then(async (r) => [r.status, await r.text()]),
          WAIT_MS,
          `request ${attempt} after the failures`,
        ).catch((error: unknown) =>
          fail(
            `request ${attempt} after the handler failures: the server must keep serving, but fetch failed: ${String(error)}`,
          ),
        );
        deepEqual(fine, [200, "still serving"], `request ${attempt} after the failures`);
      }
    },
  },
  {
    name: "net: close() lets an in-flight slow request finish, resolves after it, then refuses connections",
    capability: "net",
    async run(ctx) {
      const entered = deferred();
      const release = deferred();
      let handlerDone = false;
      const server = await serveFor(ctx, async () => {
        entered.resolve();
        await release.promise;
        handlerDone = true;
        return new Response("slow response, complete");
      });
      const inFlight = ctx.platform.net
        .fetch(`${server.url}/slow`)
        .then(async (r) => ({ status: r.status, text: await r.text() }));
      inFlight.catch(() => {});
      await within(entered.promise, WAIT_MS, "the slow request reaching the handler");
      let closedAt: "before" | "after" | undefined;
      const closing = server.close().then(() => {
        closedAt = handlerDone ? "after" : "before";
      });
      await sleep(200);
      equal(closedAt, undefined, "close() must not resolve while a request is in flight");
      release.resolve();
      deepEqual(
        await within(inFlight, WAIT_MS, "the in-flight response"),
        { status: 200, text: "slow response, complete" },
        "the in-flight request's response",
      );
      await within(closing, WAIT_MS, "close() resolving");
      equal(closedAt, "after", "close() resolves only after the in-flight request finished");
      await expectRefused(ctx.platform, `${server.url}/after-close`, "a new request after close()");
    },
  },
  {
    name: "net: close() of a server with an idle keep-alive connection resolves promptly",
    capability: "net",
    async run(ctx) {
      const server = await serveFor(ctx, () => new Response("x"));
      equal(await (await ctx.platform.net.fetch(server.url)).text(), "x", "first response");
      await within(server.close(), 3_000, "close() with only an idle connection left");
      await expectRefused(ctx.platform, server.url, "a request after close()");
    },
  },
  {
    name: "net: aborting serve's signal closes the server",
    capability: "net",
    async run(ctx) {
      const controller = new AbortController();
      const server = await serveFor(ctx, () => new Response("alive"), { signal: controller.signal });
      equal(await (await ctx.platform.net.fetch(server.url)).text(), "alive", "response before abort");
      controller.abort();
      await sleep(300);
      await expectRefused(ctx.platform, server.url, "a request after the signal aborted");
    },
  },
  {
    name: "net: fetch of a refused connection rejects",
    capability: "net",
    async run(ctx) {
      const server = await serveFor(ctx, () => new Response("x"));
      const url = server.url;
      await server.close();
      await rejects(
        () => ctx.platform.net.fetch(url, { signal: AbortSignal.timeout(3_000) }),
        {},
        "fetch of a closed port",
      );
    },
  },
]);
