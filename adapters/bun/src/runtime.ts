// Bun has no native os/arch API: process.platform/process.arch come from Bun's process global; the host name from
// node:os, read when first asked for (a getter) so that creating the platform does not load node:os.
import type { RuntimeInfo } from "@aral/platform";
import { nodeOs } from "./on-first-use.ts";

const OS_NAMES: Record<string, string> = { win32: "windows" };

export function runtimeInfo(): RuntimeInfo {
  let hostname: string | undefined;
  return {
    name: "bun",
    version: Bun.version,
    os: OS_NAMES[process.platform] ?? process.platform,
    arch: process.arch,
    cpus: navigator.hardwareConcurrency,
    get hostname() {
      hostname ??= nodeOs().hostname();
      return hostname;
    },
  };
}
