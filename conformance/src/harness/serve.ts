import type { RequestHandler, Server } from "@aral/platform";
import type { ConformanceContext } from "./case.ts";
import { within } from "./helpers.ts";

/** How long a case waits for the adapter's server to answer or close before it fails naming what hung. */
export const WAIT_MS = 5_000;

/** A server on the platform under test (port 0), closed after the case. */
export async function serveFor(
  ctx: ConformanceContext,
  handler: RequestHandler,
  opts: { signal?: AbortSignal } = {},
): Promise<Server> {
  const server = await ctx.platform.net.serve(handler, { port: 0, ...opts });
  // closing twice is not part of the contract: cleanup ignores a failure of the second close
  ctx.defer(() =>
    within(
      server.close().catch(() => {}),
      WAIT_MS,
      "server.close() in cleanup",
    ),
  );
  return server;
}

/** A promise with its resolve function outside, for a handler that must wait on the case. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
