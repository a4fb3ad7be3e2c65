// Bun.serve serves HTTP natively; node:fs only counts descriptors (Bun.serve sheds at the limit without a word).
import type { SafeRequestHandler, ServeBinding, ServeOptions } from "@aral/platform";
import { PlatformError, softOpenFileLimit, toPlatformError, watchDescriptorUse } from "@aral/platform";
import { nodeFs } from "./on-first-use.ts";

export async function serve(
  handler: SafeRequestHandler,
  opts: Omit<ServeOptions, "signal"> = {},
): Promise<ServeBinding> {
  const { hostname = "127.0.0.1", port = 0 } = opts;

  let server: Bun.Server<undefined>;
  try {
    server = Bun.serve({
      hostname,
      port,
      development: false,
      // Bun turns SO_REUSEPORT on when development is false: a port in use would be shared silently, not refused.
      reusePort: false,
      // Bun's default idleTimeout (10 s) would cut off a handler that is slow to answer; close() ends idle connections.
      idleTimeout: 0,
      fetch: handler,
    });
  } catch (error) {
    throw toPlatformError(error, { syscall: "serve", path: `${hostname}:${port}` });
  }

  const boundPort = server.port;
  if (boundPort === undefined) {
    await server.stop(true);
    throw new PlatformError("Unknown", `Unknown: serve '${hostname}:${port}' failed: Bun reported no bound port`, {
      syscall: "serve",
    });
  }
  const stopWatching = watchDescriptors(`${hostname}:${boundPort}`);
  // stop(false) stops listening, closes idle keep-alive connections and resolves once in-flight responses are done.
  // It also waits for a connection that never finishes its request headers (no idleTimeout ends it), which is not a
  // request: once pendingRequests (requests until their response is written) is 0, the rest are closed.
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      stopWatching();
      const stopped = server.stop(false);
      let done = false;
      void stopped.then(
        () => (done = true),
        () => (done = true),
      );
      while (!done && server.pendingRequests > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      if (!done) await server.stop(true);
      await stopped;
    })());
  return { hostname, port: boundPort, close };
}

/**
 * Bun.serve reports no accept error: running out of descriptors is seen by counting them (Linux /proc). The limit
 * is read on the first count, a second after serve(), not now: node:fs costs Bun ~14 ms of CPU to load, which
 * every agent's start would pay.
 */
function watchDescriptors(where: string): () => void {
  return watchDescriptorUse(
    where,
    () => softOpenFileLimit(nodeFs().readFileSync("/proc/self/limits", "utf8")),
    () => nodeFs().readdirSync("/proc/self/fd").length,
  );
}
