import { definePlatform, signalsFromProcess, unixSocketsFromNodeNet, usageFromProcess } from "@aral/platform";
import type { Platform } from "@aral/platform";
import { chmod, unlink } from "node:fs/promises";
import net from "node:net";
import process from "node:process";
import { createNodeEnv } from "./env.ts";
import { createNodeFileSystem } from "./fs.ts";
import { createPooledFetch } from "./net.ts";
import type { FetchPoolOptions } from "./net.ts";
import { createNodeProcess } from "./process.ts";
import { nodeRuntimeInfo } from "./runtime.ts";
import { serveNode as serveUnchecked } from "./serve.ts";
import { createNodeWorkers } from "./workers.ts";

export { createPooledFetch } from "./net.ts";
export type { FetchPoolOptions, PooledFetch } from "./net.ts";

export interface NodePlatformOptions {
  /** Connection pool of `net.fetch` (an undici Agent, loaded on first use); without it `net.fetch` is Node's global fetch. */
  fetch?: FetchPoolOptions;
}

/** The Platform on node:* APIs and cross-spawn (undici only for a tuned fetch pool). Creating it opens nothing and starts no timer. */
export function createPlatform(options: NodePlatformOptions = {}): Platform {
  return definePlatform({
    runtime: nodeRuntimeInfo(),
    fs: createNodeFileSystem(),
    process: createNodeProcess(),
    env: createNodeEnv(),
    signals: signalsFromProcess(process),
    net: {
      fetch: createPooledFetch(options.fetch),
      serve: serveUnchecked,
      ...unixSocketsFromNodeNet(net, { chmod, unlink }),
    },
    usage: usageFromProcess(process),
    workers: createNodeWorkers(),
  });
}

export const platform: Platform = createPlatform();

/** `net.serve` on its own, with the platform's argument checks. */
export const serveNode: Platform["net"]["serve"] = platform.net.serve;
/** `process.spawn` on its own, with the platform's argument checks. */
export const spawnNode: Platform["process"]["spawn"] = platform.process.spawn;
