import type { NetPrimitives, SafeRequestHandler, ServeBinding, ServeOptions } from "@aral/platform";
import { toPlatformError } from "@aral/platform";
import { connectUnix, listenUnix } from "./unix-sockets.ts";

export async function serve(
  handler: SafeRequestHandler,
  opts: Omit<ServeOptions, "signal"> = {},
): Promise<ServeBinding> {
  const { hostname = "127.0.0.1", port = 0 } = opts;

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port,
      onListen() {}, // Deno would print "Listening on ..." otherwise
      handler,
    });
  } catch (error) {
    throw toPlatformError(error, { syscall: "serve", path: `${hostname}:${port}` });
  }

  // Deno's accept loop ends on an accept error (EMFILE): `finished` rejects and the server is gone.
  let closing = false;
  const failed = new Promise<unknown>((resolve) => {
    server.finished.catch((error: unknown) => {
      if (!closing) resolve(error);
    });
  });
  // shutdown() stops accepting, closes idle keep-alive connections and lets in-flight requests finish.
  const close = async (): Promise<void> => {
    closing = true;
    await server.shutdown().catch(() => {}); // a server that already failed has nothing left to shut down
    await server.finished.catch(() => {});
  };
  return { hostname: server.addr.hostname, port: server.addr.port, close, failed };
}

export function createNetApi(): NetPrimitives {
  return { fetch: globalThis.fetch.bind(globalThis), serve, listenUnix, connectUnix };
}
