import type { Dispatcher, Pool } from "undici";
import { detectRuntime } from "@aral/platform";

export interface FetchPoolOptions {
  /** Most sockets kept to one origin at a time (default: unlimited, as undici). */
  connectionsPerOrigin?: number;
  /** Per-origin override of connectionsPerOrigin, keyed by origin ("https://api.example.com"). */
  originConnections?: Record<string, number>;
  /** How long an idle keep-alive socket stays open, in ms (default 4000, as undici). */
  keepAliveTimeoutMs?: number;
}

/** A standard fetch with its own connection pool, plus a way to release the pool's sockets. */
export type PooledFetch = typeof fetch & { close(): Promise<void> };

function checkCount(value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
    throw new TypeError(`fetch pool: ${what} must be a positive integer, got ${String(value)}`);
  }
}

function originKey(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch (error) {
    throw new TypeError(`fetch pool: originConnections key ${JSON.stringify(origin)} is not a URL origin`, {
      cause: error,
    });
  }
}

/** undici is imported only here, on the first request of a fetch with pool options: Node's global fetch needs none. */
async function createAgent(opts: FetchPoolOptions, perOrigin: Map<string, number>): Promise<Dispatcher> {
  const { Agent, Pool } = await import("undici");
  return new Agent({
    ...(opts.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: opts.keepAliveTimeoutMs }),
    factory(origin: string | URL, poolOptions: Pool.Options) {
      const connections = perOrigin.get(originKey(String(origin))) ?? opts.connectionsPerOrigin;
      return new Pool(origin, connections === undefined ? poolOptions : { ...poolOptions, connections });
    },
  });
}

/**
 * Without options: Node's global fetch itself (undici inside Node, keep-alive pool per origin) - nothing
 * to load, nothing to close. With pool options: the global fetch driven by its own undici Agent, which
 * `close()` releases. The global fetch is used, not undici's own, so Request/Response are the standard
 * globals user code expects. Under Deno and Bun (node compatibility) the dispatcher option does not
 * exist: the plain global fetch is returned, pooling is theirs.
 */
export function createPooledFetch(opts: FetchPoolOptions = {}): PooledFetch {
  checkCount(opts.connectionsPerOrigin, "connectionsPerOrigin");
  checkCount(opts.keepAliveTimeoutMs, "keepAliveTimeoutMs");
  const perOrigin = new Map<string, number>();
  for (const [origin, count] of Object.entries(opts.originConnections ?? {})) {
    checkCount(count, `originConnections['${origin}']`);
    perOrigin.set(originKey(origin), count);
  }

  const tuned = opts.connectionsPerOrigin !== undefined || opts.keepAliveTimeoutMs !== undefined || perOrigin.size > 0;
  if (!tuned || detectRuntime() !== "node") {
    const plain = ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init)) as PooledFetch;
    plain.close = async () => {};
    return plain;
  }
  let agent: Promise<Dispatcher> | undefined; // created on first use: importing the adapter opens nothing
  const pooled = (async (input: RequestInfo | URL, init?: RequestInit) => {
    agent ??= createAgent(opts, perOrigin);
    return globalThis.fetch(input, { dispatcher: await agent, ...init } as RequestInit);
  }) as PooledFetch;
  pooled.close = async () => {
    const current = agent;
    agent = undefined;
    await (await current)?.close();
  };
  return pooled;
}
