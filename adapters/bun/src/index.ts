import type { Platform } from "@aral/platform";
import { definePlatform, signalsFromProcess, unixSocketsFromNodeNet, usageFromProcess } from "@aral/platform";
import { chmod, unlink } from "node:fs/promises";
import net from "node:net";
import { createEnvApi } from "./env.ts";
import { createFileSystem } from "./fs.ts";
import { createProcessApi } from "./process.ts";
import { runtimeInfo } from "./runtime.ts";
import { serve } from "./serve.ts";
import { createWorkersApi } from "./workers.ts";

/** The ARAL Platform on Bun. Creating it starts no timers and registers no listeners. */
export function createPlatform(): Platform {
  return definePlatform({
    runtime: runtimeInfo(),
    fs: createFileSystem(),
    process: createProcessApi(),
    env: createEnvApi(),
    // Bun has no native signal, memory or CPU-time API: these come from its `process` global, shaped by core.
    signals: signalsFromProcess(process),
    // Unix sockets: Bun's node:net, shaped by core as on Node.
    net: { fetch: globalThis.fetch, serve, ...unixSocketsFromNodeNet(net, { chmod, unlink }) },
    usage: usageFromProcess(process),
    workers: createWorkersApi(),
  });
}

export const platform: Platform = createPlatform();
