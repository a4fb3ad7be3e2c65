import process from "node:process";
import type { UsageApi } from "@aral/core";

export function createNodeUsage(): UsageApi {
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
