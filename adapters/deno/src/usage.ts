import type { UsageApi } from "@aral/core";
// Deno.* has no typed, public CPU-time API (Deno.memoryUsage has no cpu counterpart), so CPU time
// comes from Deno's Node compatibility layer; this is the only reason node:process is used here.
import nodeProcess from "node:process";

export function createUsageApi(): UsageApi {
  return {
    memory() {
      const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
      return { rss, heapUsed, heapTotal, external };
    },
    cpu() {
      const { user, system } = nodeProcess.cpuUsage();
      return { userMicros: user, systemMicros: system };
    },
  };
}
