import type { NetApi, RequestHandler, Server, ServeOptions } from "@aral/platform";
import { toPlatformError } from "@aral/platform";

function urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

export async function serve(handler: RequestHandler, opts: ServeOptions = {}): Promise<Server> {
  const { hostname = "127.0.0.1", port = 0, signal } = opts;

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port,
      onListen() {}, // Deno would print "Listening on …" otherwise
      // A throwing handler answers 500 and the server keeps running.
      onError: () => new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain" } }),
      handler: (request) => handler(request),
    });
  } catch (error) {
    throw toPlatformError(error, { syscall: "serve", path: `${hostname}:${port}` });
  }

  let closing: Promise<void> | undefined;
  const onAbort = () => void close();
  // shutdown() stops accepting, closes idle keep-alive connections and lets in-flight requests finish.
  function close(): Promise<void> {
    closing ??= (async () => {
      signal?.removeEventListener("abort", onAbort);
      await server.shutdown();
      await server.finished;
    })();
    return closing;
  }
  // Like the other adapters, an already-aborted signal yields a server that is closed at once.
  if (signal?.aborted) void close();
  else signal?.addEventListener("abort", onAbort, { once: true });

  const bound = server.addr;
  return {
    hostname: bound.hostname,
    port: bound.port,
    url: `http://${urlHost(bound.hostname)}:${bound.port}`,
    close,
  };
}

export function createNetApi(): NetApi {
  return { fetch: globalThis.fetch.bind(globalThis), serve };
}
