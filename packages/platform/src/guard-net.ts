import type { NetApi, ServeOptions, UnixListenOptions } from "./contract.ts";
import { PlatformError } from "./errors.ts";
import {
  functionError,
  misuse,
  optionalAbortSignalError,
  optionalIntegerError,
  optionsError,
  pathError,
} from "./guard-checks.ts";

const SERVE = "net.serve";
const LISTEN_UNIX = "net.listenUnix";

function serveError(handler: unknown, opts: ServeOptions | undefined): TypeError | undefined {
  const hostname = opts?.hostname;
  return (
    functionError(SERVE, "handler", handler) ??
    optionsError(SERVE, "opts", opts) ??
    (hostname === undefined || (typeof hostname === "string" && hostname !== "")
      ? undefined
      : misuse(SERVE, "opts.hostname", "a non-empty string", hostname, "string")) ??
    optionalIntegerError(SERVE, "opts.port", opts?.port, 0, 65535, "0 to 65535") ??
    optionalAbortSignalError(SERVE, "opts.signal", opts?.signal)
  );
}

function listenUnixError(
  path: unknown,
  onConnection: unknown,
  opts: UnixListenOptions | undefined,
): TypeError | undefined {
  return (
    pathError(LISTEN_UNIX, "path", path) ??
    functionError(LISTEN_UNIX, "onConnection", onConnection) ??
    optionsError(LISTEN_UNIX, "opts", opts) ??
    optionalIntegerError(LISTEN_UNIX, "opts.mode", opts?.mode, 0, 0o7777, "0 to 0o7777") ??
    optionalAbortSignalError(LISTEN_UNIX, "opts.signal", opts?.signal)
  );
}

/** The URL a fetch input names, as far as can be told without calling into it. */
function urlOf(input: unknown): string | undefined {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  if (input instanceof Request) return input.url;
  return undefined;
}

/**
 * serve() and the Unix-socket calls checked; fetch is the standard fetch (its input is the standard's business) except that it reaches the
 * network only: every scheme but http: and https: (file:, data:, blob:, ...) rejects with PlatformError
 * `Unsupported` on every runtime (Deno's and Bun's own fetch read file: URLs).
 */
export function guardNet(net: NetApi): NetApi {
  return {
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
      const url = urlOf(input);
      const scheme = url === undefined ? undefined : /^\s*([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
      if (url !== undefined && scheme !== "http" && scheme !== "https") {
        const shown = url.length > 200 ? `${url.slice(0, 200)}\u2026` : url;
        return Promise.reject(
          new PlatformError(
            "Unsupported",
            `Unsupported: fetch '${shown}' failed: only http: and https: URLs reach the network, not ${scheme === undefined ? "a URL without a scheme" : `${scheme}:`}`,
            { syscall: "fetch", path: url },
          ),
        );
      }
      return net.fetch(input, init);
    }) as typeof fetch,
    serve(handler, opts) {
      const error = serveError(handler, opts);
      return error ? Promise.reject(error) : net.serve(handler, opts);
    },
    listenUnix(path, onConnection, opts) {
      const error = listenUnixError(path, onConnection, opts);
      return error ? Promise.reject(error) : net.listenUnix(path, onConnection, opts);
    },
    connectUnix(path) {
      const error = pathError("net.connectUnix", "path", path);
      return error ? Promise.reject(error) : net.connectUnix(path);
    },
  };
}
