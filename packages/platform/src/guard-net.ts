import type { NetApi, ServeOptions } from "./contract.ts";
import { functionError, misuse, optionalAbortSignalError, optionalIntegerError, optionsError } from "./guard-checks.ts";

const SERVE = "net.serve";

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

/** serve() checked; fetch is the standard fetch, passed through as it is (its input is the standard's business). */
export function guardNet(net: NetApi): NetApi {
  return {
    fetch: net.fetch,
    serve(handler, opts) {
      const error = serveError(handler, opts);
      return error ? Promise.reject(error) : net.serve(handler, opts);
    },
  };
}
