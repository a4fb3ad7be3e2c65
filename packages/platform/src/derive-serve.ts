import type { NetApi, ServeOptions, Server } from "./contract.ts";
import { keepServing } from "./keep-serving.ts";

/**
 * What an adapter's serve returns: the bound address and close(); the URL is derived. `failed` settles
 * with the error when the server stops serving on its own (it never settles on close()).
 */
export type ServeBinding = Omit<Server, "url"> & { failed?: Promise<unknown> };

/**
 * A handler that always answers with a Response (a failure is already a 500) and never throws: at once when the
 * user's handler answered at once, so an adapter can write the response in the same turn; else a promise.
 */
export type SafeRequestHandler = (request: Request) => Response | Promise<Response>;

/** The net API an adapter maps: its serve() gets a handler that never throws, and no abort signal; the Unix-socket calls are its own. */
export interface NetPrimitives {
  fetch: NetApi["fetch"];
  serve(handler: SafeRequestHandler, opts: Omit<ServeOptions, "signal">): Promise<ServeBinding>;
  listenUnix: NetApi["listenUnix"];
  connectUnix: NetApi["connectUnix"];
}

/**
 * serve() with what every runtime needs on top: a handler that throws or returns no Response gets one
 * 500 (logged to stderr, the server keeps serving); the URL in one format (IPv6 in brackets);
 * aborting `opts.signal` closes the server (at once when it is already aborted); a server that runs out of
 * file descriptors sheds, logs once per burst and serves again (keep-serving.ts).
 */
export function deriveNet(net: NetPrimitives): NetApi {
  return {
    fetch: net.fetch,
    listenUnix: net.listenUnix,
    connectUnix: net.connectUnix,
    async serve(handler, opts = {}) {
      const { signal, ...rest } = opts;
      const safe: SafeRequestHandler = (request) => {
        try {
          const answer: unknown = handler(request);
          // even looking at what a handler returned may throw (a `then` getter, a Proxy): that is a 500 too
          return isThenable(answer) ? Promise.resolve(answer).then(checked, failed) : checked(answer);
        } catch (error) {
          return failed(error);
        }
      };
      const binding = keepServing(await net.serve(safe, rest), (port) => net.serve(safe, { ...rest, port }));
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        signal?.removeEventListener("abort", onAbort);
        closing ??= binding.close();
        return closing;
      };
      const onAbort = () => void close();
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
      return { hostname: binding.hostname, port: binding.port, url: serverUrl(binding.hostname, binding.port), close };
    },
  };
}

export function serverUrl(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/**
 * Whether `value` is a promise or promise-like. By its `then`, not `instanceof Promise`: instanceof walks a
 * Response's prototype chain to its end, which for the Node adapter's light Response loads Node's own class.
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** What a handler answered with, at once or through its promise: a Response goes out, anything else is a 500. */
function checked(response: unknown): Response {
  try {
    if (response instanceof Response) return response;
  } catch (error) {
    return failed(error);
  }
  return failed(
    new TypeError(`serve: handler must return a Response, got ${response === null ? "null" : typeof response}`),
  );
}

/** A handler that threw, rejected or answered with something else: logged to stderr, answered with a 500. */
function failed(error: unknown): Response {
  console.error("serve: request handler failed:", error);
  return internalServerError();
}

function internalServerError(): Response {
  return new Response("Internal Server Error", {
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
