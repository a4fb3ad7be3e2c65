import type { UsageApi } from "@aral/core";
import { usageFromProcess } from "@aral/core";
// Deno.* has no typed, public CPU-time API (Deno.memoryUsage has no cpu counterpart), so CPU time
// comes from Deno's Node compatibility layer; this is the only reason node:process is used here.
import nodeProcess from "node:process";

export function createUsageApi(): UsageApi {
  return usageFromProcess({ memoryUsage: () => Deno.memoryUsage(), cpuUsage: () => nodeProcess.cpuUsage() });
}
