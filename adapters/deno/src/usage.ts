import type { UsageApi } from "@aral/platform";
import { usageFromProcess } from "@aral/platform";
// Deno.* has no typed, public CPU-time API (Deno.memoryUsage has no cpu counterpart), so CPU time
// comes from Deno's Node compatibility layer (node:process, loaded on the first sample).
import { nodeProcess } from "./on-first-use.ts";

export function createUsageApi(): UsageApi {
  return usageFromProcess({ memoryUsage: () => Deno.memoryUsage(), cpuUsage: () => nodeProcess().cpuUsage() });
}
