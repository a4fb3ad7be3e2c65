import type { NodeNetLike, Platform } from "@aral/platform";
import { definePlatform, signalsFromProcess, unixSocketsFromNodeNet, usageFromProcess } from "@aral/platform";
import { createEnvApi } from "./env.ts";
import { createFileSystem } from "./fs.ts";
import { fsPromises, nodeNet } from "./on-first-use.ts";
import { createProcessApi } from "./process.ts";
import { runtimeInfo } from "./runtime.ts";
import { serve } from "./serve.ts";
import { createWorkersApi } from "./workers.ts";

const lazyNet: NodeNetLike = {
  createServer: (listener) => nodeNet().createServer(listener),
  connect: (path) => nodeNet().connect(path),
};
const lazyUnixFs = {
  chmod: (path: string, mode: number) => fsPromises().chmod(path, mode),
  unlink: (path: string) => fsPromises().unlink(path),
};

/** The ARAL Platform on Bun. Creating it starts no timers and registers no listeners. */
export function createPlatform(): Platform {
  return definePlatform({
    runtime: runtimeInfo(),
    fs: createFileSystem(),
    process: createProcessApi(),
    env: createEnvApi(),
    // Bun has no native signal, memory or CPU-time API: these come from its `process` global, shaped by core.
    signals: signalsFromProcess(process),
    // Unix sockets: Bun's node:net (loaded on the first socket), shaped by core as on Node.
    net: { fetch: globalThis.fetch, serve, ...unixSocketsFromNodeNet(lazyNet, lazyUnixFs) },
    usage: usageFromProcess(process),
    workers: createWorkersApi(),
  });
}

export const platform: Platform = createPlatform();
