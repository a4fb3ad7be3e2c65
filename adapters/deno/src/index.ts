import { definePlatform } from "@aral/platform";
import type { Platform } from "@aral/platform";
import { createFileSystem } from "./fs.ts";
import { createEnvApi } from "./env.ts";
import { createProcessApi } from "./process.ts";
import { createRuntimeInfo } from "./runtime.ts";
import { createNetApi } from "./serve.ts";
import { createSignalsApi } from "./signals.ts";
import { createUsageApi } from "./usage.ts";
import { createWorkersApi } from "./workers.ts";

/** The ARAL Platform on Deno's own APIs. Creating it starts no timers and installs no listeners. */
export function createPlatform(): Platform {
  return definePlatform({
    runtime: createRuntimeInfo(),
    fs: createFileSystem(),
    process: createProcessApi(),
    env: createEnvApi(),
    signals: createSignalsApi(),
    net: createNetApi(),
    usage: createUsageApi(),
    workers: createWorkersApi(),
  });
}

export const platform: Platform = createPlatform();
