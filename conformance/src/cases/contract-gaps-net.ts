import { atMost, equal, fail, rejects } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { within } from "../harness/helpers.ts";
import { WAIT_MS, deferred, serveFor } from "../harness/serve.ts";

const MIB = 1024 * 1024;

/** Resolves after `ms`, or at once when `signal` aborts; the timer never outlives the case. */
function delay(ctx: ConformanceContext, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    ctx.defer(() => clearTimeout(timer));
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Polls an async probe every 10 ms until it returns true; fails the case with `what` after `ms`. */
async function untilAsync(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const contractGapNetCases: ConformanceCase[] = defineCases([
  {
    name: "net: serve aborts request.signal when the client disconnects before the response",
    capability: "net",
    async run(ctx) {
      const started = deferred();
      const aborted = deferred<number>();
      const server = await serveFor(ctx, async (request) => {
        request.signal.addEventListener("abort", () => aborted.resolve(performance.now()), { once: true });
        started.resolve();
        // answers after 1.5 s, or as soon as the client is gone (so close() in cleanup does not wait)
        await delay(ctx, 1_500, request.signal);
        return new Response("late");
      });
      const client = new AbortController();
      const fetching = ctx.platform.net.fetch(server.url, { signal: client.signal }).catch(() => undefined);
      await within(started.promise, WAIT_MS, "the handler starting");
      const abortedBy = performance.now();
      client.abort();
      await fetching;
      const at = await within(
        aborted.promise,
        1_000,
        "request.signal aborting after the client disconnected (the handler would answer after 1.5 s)",
      );
      atMost(at - abortedBy, 1_000, "ms from the client's abort to request.signal's abort event");
    },
  },
  {
    name: "net: serve pulls a streamed response body only as fast as the client reads it (backpressure)",
    capability: "net",
    async run(ctx) {
      const LIMIT_MIB = 24;
      let pulled = 0;
      const server = await serveFor(
        ctx,
        () =>
          new Response(
            new ReadableStream<Uint8Array>(
              {
                pull(controller) {
                  // a bound, so an adapter without backpressure does not fill the memory
                  if (pulled >= 4 * LIMIT_MIB) {
                    controller.close();
                    return;
                  }
                  pulled++;
                  controller.enqueue(new Uint8Array(MIB));
                },
              },
              { highWaterMark: 0 },
            ),
          ),
      );
      const response = await within(ctx.platform.net.fetch(server.url), WAIT_MS, "the response headers");
      ctx.defer(() => response.body?.cancel().catch(() => {}));
      equal(response.status, 200, "response.status");
      // The client reads nothing for 1 s: socket buffers and a few chunks in flight are fine, not the whole stream.
      const deadline = performance.now() + 1_000;
      while (performance.now() < deadline) {
        atMost(pulled, LIMIT_MIB, `MiB pulled from the handler's stream while the client read nothing`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      atMost(pulled, LIMIT_MIB, `MiB pulled from the handler's stream while the client read nothing (after 1 s)`);
      await response.body?.cancel();
    },
  },
  {
    name: "net: serve does not cut off a handler that takes 13 s to answer (no idle timeout; the case runs 13 s)",
    capability: "net",
    timeoutMs: 25_000,
    async run(ctx) {
      const server = await serveFor(ctx, async (request) => {
        await delay(ctx, 13_000, request.signal);
        return new Response(request.signal.aborted ? "cut off" : "slow ok");
      });
      const started = performance.now();
      let text: string;
      try {
        text = await within(
          ctx.platform.net.fetch(server.url).then((r) => r.text()),
          20_000,
          "the answer of a 13 s handler",
        );
      } catch (error) {
        if ((error as Error)?.name === "AssertionError") throw error;
        fail(
          `the request to a 13 s handler failed after ${Math.round(performance.now() - started)} ms: ${String((error as Error)?.message ?? error)}`,
        );
      }
      equal(text, "slow ok", "body of the 13 s handler");
    },
  },
  ...[false, true].map(
    (abortFirst): ConformanceCase => ({
      name: abortFirst
        ? "net: listenUnix with an already aborted signal closes the listener at once (socket file removed, connect refused)"
        : "net: aborting listenUnix's signal closes the listener (socket file removed, connect refused)",
      capability: "net.unix",
      async run(ctx) {
        if (ctx.platform.runtime.os === "windows")
          ctx.skip("Unix domain sockets: not offered on Windows by this contract");
        const path = `${await ctx.tempDir()}/abort.sock`;
        const controller = new AbortController();
        if (abortFirst) controller.abort();
        const listener = await within(
          ctx.platform.net.listenUnix(path, (connection) => connection.close(), { signal: controller.signal }),
          WAIT_MS,
          "listenUnix",
        );
        ctx.defer(() => listener.close());
        if (!abortFirst) {
          const probe = await within(ctx.platform.net.connectUnix(path), WAIT_MS, "connectUnix before the abort");
          probe.close();
          controller.abort();
        }
        await untilAsync("the socket file's removal after the abort", 1_000, async () => {
          return !(await ctx.platform.fs.exists(path));
        });
        await rejects(() => ctx.platform.net.connectUnix(path), { code: "NotFound" }, "connectUnix after the abort");
      },
    }),
  ),
]);
