// Bun.serve serves HTTP natively; no node: import here.
import type { SafeRequestHandler, ServeBinding, ServeOptions } from "@aral/platform";
import { PlatformError, toPlatformError } from "@aral/platform";

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
  // stop(false) stops listening, closes idle keep-alive connections and resolves once in-flight responses are done.
  return { hostname, port: boundPort, close: () => server.stop(false) };
}
