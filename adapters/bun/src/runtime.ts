// Bun has no native os/arch API: process.platform/process.arch come from Bun's process global; the host name from node:os.
import { hostname } from "node:os";
import type { RuntimeInfo } from "@aral/platform";

const OS_NAMES: Record<string, string> = { win32: "windows" };

export function runtimeInfo(): RuntimeInfo {
  return {
    name: "bun",
    version: Bun.version,
    os: OS_NAMES[process.platform] ?? process.platform,
    arch: process.arch,
    cpus: navigator.hardwareConcurrency,
    hostname: hostname(),
  };
}
