// Bun.serve serves HTTP natively; no node: import here.
import type { RequestHandler, ServeOptions, Server } from "@aral/platform";
import { PlatformError, toPlatformError } from "@aral/platform";

export async function serve(handler: RequestHandler, opts: ServeOptions = {}): Promise<Server> {
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
      async fetch(request) {
        try {
          return await handler(request);
        } catch {
          return internalServerError();
        }
      },
      // a handler that returns something other than a Response ends up here
      error: () => internalServerError(),
    });
  } catch (error) {
    throw toPlatformError(error, { syscall: "serve", path: `${hostname}:${port}` });
  }

  const boundPort = server.port;
  if (boundPort === undefined) {
    await server.stop(true);
    throw new PlatformError("Unknown", `Unknown: serve '${hostname}:${port}' failed: Bun reported no bound port`, { syscall: "serve" });
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // stop(false) stops listening, closes idle keep-alive connections and resolves once in-flight responses are done.
    closing ??= server.stop(false).then(() => opts.signal?.removeEventListener("abort", onAbort));
    return closing;
  };
  const onAbort = () => void close();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  const urlHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { hostname, port: boundPort, url: `http://${urlHost}:${boundPort}`, close };
}

function internalServerError(): Response {
  return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
}
