import { ConnectionLimitError, FetchSchemeError, NetworkTimeoutError, QuantityError } from "@aral/core";
import { createLimitedFetch } from "@aral/core/resources";
import { readAllText } from "@aral/platform";
import type { RequestHandler, Server } from "@aral/platform";
import { atLeast, atMost, bytesEqual, deepEqual, equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { lines, patternedBytes, sleep, statusWithin, within } from "../harness/helpers.ts";

const CAPABILITY = "resources.network";

interface Gate {
  readonly wait: Promise<void>;
  open(): void;
}

/** A gate handlers wait on. */
function gate(): Gate {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * A real server on 127.0.0.1, port 0; closed after the case. `hold` is opened first: close() lets in-flight
 * handlers finish (on Deno even those whose client has gone), so none may still be waiting on it.
 */
async function serve(ctx: ConformanceContext, handler: RequestHandler, hold?: Gate): Promise<Server> {
  const server = await ctx.platform.net.serve(handler, { hostname: "127.0.0.1", port: 0 });
  ctx.defer(() => {
    hold?.open();
    return within(
      server.close().catch(() => {}),
      5_000,
      "server.close() in cleanup",
    );
  });
  return server;
}

/** Resolves on the next turn of the event loop, so promise chains (slot releases) have run. */
const settle = () => sleep(20);

export const resourcesNetworkCases = defineCases([
  {
    name: "fetch schemes: only http: and https: reach the network — file:, data: and the rest reject (platform: PlatformError Unsupported; limited fetch: FetchSchemeError) and nothing is read",
    capability: CAPABILITY,
    async run(ctx) {
      const dir = await ctx.tempDir();
      const secret = `${dir}/secret.txt`;
      await ctx.platform.fs.writeFile(secret, "CONTENT-0451");
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch });
      const refused = [
        `file://${secret}`,
        `FILE://${secret}`,
        "data:text/plain,x",
        "blob:null/1",
        "ftp://127.0.0.1/x",
        "javascript:1",
        "/relative/path",
      ];
      for (const url of refused) {
        const direct = (await rejects(
          () => ctx.platform.net.fetch(url),
          { code: "Unsupported" },
          `platform.net.fetch(${JSON.stringify(url)})`,
        )) as Error;
        ok(!String(direct.message).includes("CONTENT-0451"), "the error does not carry the file's content");
        const error = (await rejects(
          () => limited(url),
          { instance: FetchSchemeError },
          `limited fetch(${JSON.stringify(url)})`,
        )) as FetchSchemeError;
        ok(
          error.scheme.endsWith(":") || (url.startsWith("/") && error.scheme === "(none)"),
          `FetchSchemeError.scheme names the scheme (got ${error.scheme})`,
        );
      }
      await rejects(
        () => ctx.platform.net.fetch(new URL(`file://${secret}`)),
        { code: "Unsupported" },
        "platform.net.fetch(a file: URL object)",
      );
      await rejects(
        () => ctx.platform.net.fetch(new Request("data:text/plain,x")),
        { code: "Unsupported" },
        "platform.net.fetch(a data: Request)",
      );
      await rejects(
        () => limited(new URL(`file://${secret}`)),
        { instance: FetchSchemeError },
        "limited fetch(a file: URL object)",
      );
      const server = await serve(ctx, () => new Response("over http"));
      equal(await (await limited(server.url)).text(), "over http", "an http: URL still works");
    },
  },
  {
    name: "network: connections=2 — five concurrent slow requests never exceed 2 in flight at the server, get their slots in FIFO order, all complete",
    capability: CAPABILITY,
    async run(ctx) {
      let inFlight = 0;
      let maxInFlight = 0;
      const server = await serve(ctx, async (req) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(150);
        inFlight--;
        return new Response(`reply ${new URL(req.url).searchParams.get("i")}`);
      });
      const granted: string[] = [];
      const limited = createLimitedFetch({
        connections: 2,
        fetch: (input, init) => {
          granted.push(new URL(input instanceof Request ? input.url : String(input)).searchParams.get("i")!);
          return ctx.platform.net.fetch(input, init);
        },
      });
      const bodies = Promise.all([0, 1, 2, 3, 4].map(async (i) => (await limited(`${server.url}/slow?i=${i}`)).text()));
      equal(limited.active, 2, "limited.active right after five calls");
      equal(limited.waiting, 3, "limited.waiting right after five calls");
      deepEqual(
        await within(bodies, 10_000, "five requests through two slots"),
        [0, 1, 2, 3, 4].map((i) => `reply ${i}`),
        "response bodies",
      );
      deepEqual(granted, ["0", "1", "2", "3", "4"], "order in which requests got a slot and went out");
      atMost(maxInFlight, 2, "requests in flight at the server at once");
      equal(maxInFlight, 2, "requests in flight at the server at once (both slots used)");
      equal(limited.active, 0, "limited.active after all bodies were read");
      equal(limited.waiting, 0, "limited.waiting at the end");
    },
  },
  {
    name: "network: fail-fast mode (waitForSlot false) rejects the third concurrent request with ConnectionLimitError; freed slots work again",
    capability: CAPABILITY,
    async run(ctx) {
      const hold = gate();
      let arrived = 0;
      const server = await serve(
        ctx,
        async () => {
          arrived++;
          await hold.wait;
          return new Response("done");
        },
        hold,
      );
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, connections: 2, waitForSlot: false });
      const first = limited(`${server.url}/a`).then((r) => r.text());
      const second = limited(`${server.url}/b`).then((r) => r.text());
      const error = (await rejects(
        () => limited(`${server.url}/c`),
        { instance: ConnectionLimitError },
        "the third request",
      )) as ConnectionLimitError;
      equal(error.limit, 2, "ConnectionLimitError.limit");
      equal(error.url, `${server.url}/c`, "ConnectionLimitError.url");
      hold.open();
      deepEqual(
        await within(Promise.all([first, second]), 5_000, "the two held requests"),
        ["done", "done"],
        "bodies of the held requests",
      );
      equal(arrived, 2, "requests that reached the server (the refused one never went out)");
      equal(await (await limited(`${server.url}/d`)).text(), "done", "a request after the slots were freed");
      equal(limited.active, 0, "limited.active at the end");
    },
  },
  {
    name: "network: the default timeout aborts a request whose server never answers, with NetworkTimeoutError naming the URL",
    capability: CAPABILITY,
    async run(ctx) {
      const hold = gate();
      const server = await serve(
        ctx,
        async () => {
          await hold.wait;
          return new Response("too late");
        },
        hold,
      );
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, connections: 1, timeout: 300 });
      const url = `${server.url}/hang?x=1`;
      const started = performance.now();
      const error = (await rejects(
        () => limited(url),
        { instance: NetworkTimeoutError },
        "a request to a hung server",
      )) as NetworkTimeoutError;
      const elapsed = performance.now() - started;
      equal(error.url, url, "NetworkTimeoutError.url");
      equal(error.timeoutMs, 300, "NetworkTimeoutError.timeoutMs");
      equal(error.code, "TimedOut", "NetworkTimeoutError.code");
      ok(error.message.includes(url), `the message names the URL (got ${JSON.stringify(error.message)})`);
      atLeast(elapsed, 250, "ms before the timeout fired");
      atMost(elapsed, 8_000, "ms before the timeout fired");
      equal(limited.active, 0, "limited.active after the timeout (slot freed)");
    },
  },
  {
    name: "network: the timeout also covers a response body that stalls after the headers",
    capability: CAPABILITY,
    async run(ctx) {
      let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
      ctx.defer(() => {
        try {
          stream?.close();
        } catch {
          // already closed or errored by the aborted connection
        }
      });
      const server = await serve(
        ctx,
        () =>
          new Response(
            new ReadableStream<Uint8Array>({
              start(c) {
                stream = c;
                c.enqueue(new TextEncoder().encode("first chunk, then nothing"));
              },
            }),
          ),
      );
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, timeout: 400 });
      const url = `${server.url}/stall`;
      const started = performance.now();
      const response = await limited(url);
      equal(response.status, 200, "status of the stalling response");
      await rejects(
        () => within(response.text(), 8_000, "reading the stalled body"),
        { instance: NetworkTimeoutError, message: url },
        "reading a body that stalls",
      );
      atLeast(performance.now() - started, 350, "ms before the body read failed");
      await settle();
      equal(limited.active, 0, "limited.active after the body timed out");
    },
  },
  {
    name: "network: the caller's own AbortSignal aborts a request in flight and one waiting for a slot, with the caller's reason",
    capability: CAPABILITY,
    async run(ctx) {
      const hold = gate();
      const server = await serve(
        ctx,
        async () => {
          await hold.wait;
          return new Response("late");
        },
        hold,
      );
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, connections: 1, timeout: 10_000 });
      const inFlight = new AbortController();
      const waiting = new AbortController();
      const inFlightReason = new Error("caller gave up (in flight)");
      const waitingReason = new Error("caller gave up (waiting)");
      const first = limited(`${server.url}/first`, { signal: inFlight.signal });
      const second = limited(`${server.url}/second`, { signal: waiting.signal });
      // Both reject on timers; a rejection must never be unhandled while the case awaits the other one.
      first.catch(() => {});
      second.catch(() => {});
      equal(limited.waiting, 1, "the second request waits for the only slot");
      const started = performance.now();
      setTimeout(() => waiting.abort(waitingReason), 50);
      setTimeout(() => inFlight.abort(inFlightReason), 100);
      const secondError = await rejects(() => second, {}, "the waiting request after its caller aborted");
      equal(secondError, waitingReason, "rejection of the waiting request (the caller's reason)");
      const firstError = await rejects(() => first, {}, "the request in flight after its caller aborted");
      ok(!(firstError instanceof NetworkTimeoutError), "the caller's abort is not reported as a timeout");
      ok(
        firstError === inFlightReason || (firstError as Error)?.name === "AbortError",
        `rejection of the in-flight request is the caller's reason or an AbortError (got ${String(firstError)})`,
      );
      atMost(performance.now() - started, 5_000, "ms until both aborted requests rejected");
      await settle();
      equal(limited.active, 0, "limited.active after both aborts");
      equal(limited.waiting, 0, "limited.waiting after both aborts");
      await rejects(
        () => limited(`${server.url}/x`, { signal: AbortSignal.abort(new Error("already")) }),
        { message: "already" },
        "a request with an already aborted signal",
      );
    },
  },
  {
    name: "network: a slot is held until the response body is consumed or cancelled",
    capability: CAPABILITY,
    async run(ctx) {
      const body = patternedBytes(64 * 1024, 5);
      const server = await serve(ctx, (req) =>
        new URL(req.url).pathname === "/empty" ? new Response(null, { status: 204 }) : new Response(body),
      );
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, connections: 1, waitForSlot: false });
      const refused = () =>
        rejects(
          () => limited(`${server.url}/other`),
          { instance: ConnectionLimitError },
          "a second request while the body is unread",
        );

      const read = await limited(`${server.url}/read`);
      equal(limited.active, 1, "limited.active with an unread body");
      await refused();
      bytesEqual(new Uint8Array(await read.arrayBuffer()), body, "body read with arrayBuffer()");
      await settle();
      equal(limited.active, 0, "limited.active after arrayBuffer()");

      const cancelled = await limited(`${server.url}/cancel`);
      equal(limited.active, 1, "limited.active before cancel");
      await cancelled.body!.cancel();
      await settle();
      equal(limited.active, 0, "limited.active after body.cancel()");

      const streamed = await limited(`${server.url}/stream`);
      const reader = streamed.body!.getReader();
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (bytes < body.byteLength) equal(limited.active, 1, "limited.active while the body is being read");
      }
      equal(bytes, body.byteLength, "bytes read from the stream");
      await settle();
      equal(limited.active, 0, "limited.active after reading the stream to its end");

      const empty = await limited(`${server.url}/empty`);
      equal(empty.status, 204, "status of a response without a body");
      await settle();
      equal(limited.active, 0, "limited.active after a response without a body");
    },
  },
  {
    name: "network: bandwidth 800kbps makes a 100 kB response body take at least ~0.6 s, with the exact bytes",
    capability: CAPABILITY,
    timeoutMs: 30_000,
    async run(ctx) {
      const body = patternedBytes(100_000, 9);
      const server = await serve(
        ctx,
        () => new Response(body, { headers: { "content-type": "application/octet-stream" } }),
      );
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, bandwidth: "800kbps" });
      const started = performance.now();
      const response = await limited(`${server.url}/big`);
      equal(response.status, 200, "status");
      equal(response.headers.get("content-type"), "application/octet-stream", "headers pass through");
      const received = new Uint8Array(await response.arrayBuffer());
      const elapsed = performance.now() - started;
      bytesEqual(received, body, "the capped body");
      atLeast(elapsed, 600, "ms to receive 100 000 bytes at 800 kbit/s (100 000 bytes/s)");
    },
  },
  {
    name: "network: bandwidth also paces request bodies — a 100 kB upload at 800kbps takes at least ~0.6 s and arrives intact",
    capability: CAPABILITY,
    timeoutMs: 30_000,
    async run(ctx) {
      const upload = patternedBytes(100_000, 13);
      let received: Uint8Array | undefined;
      const server = await serve(ctx, async (req) => {
        received = new Uint8Array(await req.arrayBuffer());
        return new Response(String(received.byteLength));
      });
      const limited = createLimitedFetch({ fetch: ctx.platform.net.fetch, bandwidth: 800_000 });
      const started = performance.now();
      const response = await limited(`${server.url}/upload`, { method: "POST", body: upload });
      equal(await response.text(), "100000", "bytes the server counted");
      const elapsed = performance.now() - started;
      ok(received, "the server received a body");
      bytesEqual(received, upload, "the uploaded body as the server saw it");
      atLeast(elapsed, 600, "ms to send 100 000 bytes at 800 kbit/s");
    },
  },
  {
    name: "network: under a bandwidth cap, the caller's abort and the timeout both end a body mid-stream and free the slot",
    capability: CAPABILITY,
    timeoutMs: 30_000,
    async run(ctx) {
      const body = patternedBytes(100_000, 17);
      const server = await serve(ctx, () => new Response(body));
      const limited = createLimitedFetch({
        fetch: ctx.platform.net.fetch,
        connections: 1,
        bandwidth: "800kbps",
        timeout: 10_000,
      });
      const caller = new AbortController();
      const reason = new Error("caller stopped reading");
      const reader = (await limited(`${server.url}/paced`, { signal: caller.signal })).body!.getReader();
      ok(!(await reader.read()).done, "a first chunk arrives");
      equal(limited.active, 1, "limited.active while the body is read");
      caller.abort(reason);
      const error = await rejects(
        async () => {
          for (;;) if ((await reader.read()).done) return "ended";
        },
        {},
        "reading on after the caller aborted",
      );
      equal(error, reason, "the read rejects with the caller's reason");
      await settle();
      equal(limited.active, 0, "limited.active after the abort");

      const short = createLimitedFetch({
        fetch: ctx.platform.net.fetch,
        connections: 1,
        bandwidth: "800kbps",
        timeout: 300,
      });
      const started = performance.now();
      const response = await short(`${server.url}/too-slow`);
      await rejects(
        () => response.arrayBuffer(),
        { instance: NetworkTimeoutError, message: "/too-slow" },
        "a paced 100 kB body (≈ 1 s) under a 300 ms timeout",
      );
      atLeast(performance.now() - started, 250, "ms until the timeout");
      await settle();
      equal(short.active, 0, "limited.active after the timeout");
    },
  },
  {
    name: "network: bad createLimitedFetch options fail with typed errors naming them",
    capability: CAPABILITY,
    run(ctx) {
      const fetch = ctx.platform.net.fetch;
      const throws = (
        make: () => unknown,
        instance: abstract new (...args: never[]) => unknown,
        message: RegExp,
        what: string,
      ) => rejects(() => make(), { instance, message }, what);
      return (async () => {
        await throws(
          () => createLimitedFetch({ fetch: undefined as unknown as typeof fetch }),
          TypeError,
          /fetch/,
          "no fetch function",
        );
        await throws(() => createLimitedFetch({ fetch, timeout: 0 }), RangeError, /timeout/, "timeout 0");
        await throws(() => createLimitedFetch({ fetch, timeout: Number.NaN }), RangeError, /timeout/, "timeout NaN");
        await throws(() => createLimitedFetch({ fetch, connections: 0 }), RangeError, /0/, "connections 0");
        await throws(() => createLimitedFetch({ fetch, connections: 1.5 }), RangeError, /1\.5/, "connections 1.5");
        await throws(
          () => createLimitedFetch({ fetch, bandwidth: "100MB" }),
          QuantityError,
          /100MB/,
          "bandwidth '100MB'",
        );
        await throws(() => createLimitedFetch({ fetch, bandwidth: 0 }), RangeError, /bandwidth/, "bandwidth 0");
      })();
    },
  },
  {
    name: "network: in a fresh process that serves, runtime.fetch bodies read as text(), json(), arrayBuffer() and a stream (the tracking uses the response's own class, whatever the adapter made the global Response)",
    capability: CAPABILITY,
    async run({ spawnFixture }) {
      const child = spawnFixture("fetch-after-serve");
      const [out, err] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr)]);
      const status = await statusWithin(child, 20_000);
      const line = lines(out).find((l) => l.startsWith("fixture bodies "));
      ok(line !== undefined, `the fixture read every body (exit ${status.code}; stderr: ${err.slice(0, 400)})`);
      const bodies = JSON.parse(line!.slice("fixture bodies ".length)) as Record<string, unknown>;
      equal(bodies["status"], "pass", "json() of /health/live");
      equal(JSON.parse(bodies["text"] as string).status, "pass", "text() of /health/live");
      equal(bodies["bytes"], (bodies["text"] as string).length, "arrayBuffer() has the bytes text() had");
      equal(bodies["streamed"], bodies["bytes"], "the body as a stream has them too");
      equal(status.code, 0, "exit code");
    },
  },
]);
