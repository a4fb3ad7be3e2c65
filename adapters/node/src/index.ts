import { definePlatform, signalsFromProcess, unixSocketsFromNodeNet, usageFromProcess } from "@aral/platform";
import type { NodeNetLike, Platform } from "@aral/platform";
import { createNodeEnv } from "./env.ts";
import { createNodeFileSystem } from "./fs.ts";
import { createPooledFetch } from "./net.ts";
import type { FetchPoolOptions } from "./net.ts";
import { createNodeProcess } from "./process.ts";
import { nodeRuntimeInfo } from "./runtime.ts";
import { serveNode as serveUnchecked } from "./serve.ts";
import { fsPromises, onFirstUse } from "./on-first-use.ts";
import { createNodeWorkers } from "./workers.ts";

// The adapter uses the global `process`, never `import process from "node:process"`: that import reads every
// export of the module, and with them process.stdout/stderr (a net socket on a pipe: node's whole stream stack)
// and process.report, on every import, for nothing.

export { createPooledFetch } from "./net.ts";
export type { FetchPoolOptions, PooledFetch } from "./net.ts";

// node:net only for a Unix socket: an agent that never opens one does not load it (nor node's stream stack with it)
const net = onFirstUse<typeof import("node:net")>("node:net");
const lazyNet: NodeNetLike = {
  createServer: (listener) => net().createServer(listener),
  connect: (path) => net().connect(path),
};

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
      ...unixSocketsFromNodeNet(lazyNet, {
        chmod: (path, mode) => fsPromises.chmod(path, mode),
        unlink: (path) => fsPromises.unlink(path),
      }),
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
