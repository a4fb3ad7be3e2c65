import type { NetApi, ServeOptions, UnixListenOptions } from "./contract.ts";
import { functionError, misuse, optionalAbortSignalError, optionalIntegerError, optionsError, pathError } from "./guard-checks.ts";

const SERVE = "net.serve";
const LISTEN_UNIX = "net.listenUnix";

function serveError(handler: unknown, opts: ServeOptions | undefined): TypeError | undefined {
  const hostname = opts?.hostname;
  return (
    functionError(SERVE, "handler", handler) ??
    optionsError(SERVE, "opts", opts) ??
    (hostname === undefined || (typeof hostname === "string" && hostname !== "") ? undefined : misuse(SERVE, "opts.hostname", "a non-empty string", hostname, "string")) ??
    optionalIntegerError(SERVE, "opts.port", opts?.port, 0, 65535, "0 to 65535") ??
    optionalAbortSignalError(SERVE, "opts.signal", opts?.signal)
  );
}

function listenUnixError(path: unknown, onConnection: unknown, opts: UnixListenOptions | undefined): TypeError | undefined {
  return (
    pathError(LISTEN_UNIX, "path", path) ??
    functionError(LISTEN_UNIX, "onConnection", onConnection) ??
    optionsError(LISTEN_UNIX, "opts", opts) ??
    optionalIntegerError(LISTEN_UNIX, "opts.mode", opts?.mode, 0, 0o7777, "0 to 0o7777") ??
    optionalAbortSignalError(LISTEN_UNIX, "opts.signal", opts?.signal)
  );
}

/** serve() and the Unix-socket calls checked; fetch is the standard fetch, passed through as it is (its input is the standard's business). */
export function guardNet(net: NetApi): NetApi {
  return {
    fetch: net.fetch,
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
