import os from "node:os";
import { detectRuntime } from "@aral/platform";
import type { RuntimeInfo } from "@aral/platform";

/**
 * Describes the runtime actually executing this adapter: under Deno's or Bun's node compatibility
 * the name and version are theirs, so a child spawned with `execPath` gets the right command line.
 */
export function nodeRuntimeInfo(): RuntimeInfo {
  const detected = detectRuntime();
  const name = detected === "unknown" ? "node" : detected;
  const version = process.versions[name] ?? process.versions.node ?? process.version.replace(/^v/, "");
  return {
    name,
    version,
    os: process.platform === "win32" ? "windows" : process.platform,
    arch: process.arch,
    cpus: typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
    hostname: os.hostname(),
  };
}
