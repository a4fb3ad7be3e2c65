import type { Platform } from "@aral/core";
import { createEnvApi } from "./env.ts";
import { createFileSystem } from "./fs.ts";
import { createProcessApi } from "./process.ts";
import { runtimeInfo } from "./runtime.ts";
import { serve } from "./serve.ts";
import { createSignalsApi } from "./signals.ts";
import { createUsageApi } from "./usage.ts";
import { createWorkersApi } from "./workers.ts";

/** The ARAL Platform on Bun. Creating it starts no timers and registers no listeners. */
export function createPlatform(): Platform {
  return {
    runtime: runtimeInfo(),
    fs: createFileSystem(),
    process: createProcessApi(),
    env: createEnvApi(),
    signals: createSignalsApi(),
    net: { fetch: globalThis.fetch, serve },
    usage: createUsageApi(),
    workers: createWorkersApi(),
  };
}

export const platform: Platform = createPlatform();
