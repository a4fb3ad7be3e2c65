// Bun has no native API for process memory or CPU time: process.memoryUsage/cpuUsage from Bun's `process` global.
import type { UsageApi } from "@aral/core";

export function createUsageApi(): UsageApi {
  return {
    memory() {
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      return { rss, heapUsed, heapTotal, external };
    },
    cpu() {
      const { user, system } = process.cpuUsage();
      return { userMicros: user, systemMicros: system };
    },
  };
}
