import type { RuntimeConfig } from "@aral/core";
import { parseBytes, parseCpu } from "@aral/core/resources";

/** Default kill deadline margin past `lifecycle.shutdownTimeout` when `terminationGracePeriod` is not set. */
export const DEFAULT_TERMINATION_MARGIN_MS = 2_000;

/** `resources.memory.limit` in bytes, or undefined when the manifest sets none. */
export function memoryLimitFromManifest(manifest: RuntimeConfig): number | undefined {
  const limit = manifest.resources.memory.limit;
  return limit === undefined ? undefined : parseBytes(limit);
}

/** What the supervisor takes from a manifest (README.md tables it); the restart counts are the supervisor's own. */
export interface SupervisorManifestSettings {
  shutdownTimeoutMs: number;
  /** `lifecycle.terminationGracePeriod`, default shutdownTimeout + 2000: when everything left is SIGKILLed. */
  terminationGracePeriodMs: number;
  memoryLimitBytes: number | undefined;
  /** `resources.memory.swap: "enabled"`. */
  allowSwap: boolean;
  cpuLimitCores: number | undefined;
  cpuRequestCores: number | undefined;
  pidsLimit: number | undefined;
  backoffMs: number;
  maxBackoffMs: number;
}

export function supervisorSettingsFromManifest(manifest: RuntimeConfig): SupervisorManifestSettings {
  const { cpu, memory } = manifest.resources;
  // Read loosely: a manifest resolved by an older core has no pids section or grace period.
  const pids = (manifest.resources as { pids?: { limit?: number } }).pids;
  const grace = (manifest.lifecycle as { terminationGracePeriod?: number }).terminationGracePeriod;
  const cpuRequest = cpu.request === undefined ? undefined : parseCpu(cpu.request);
  return {
    shutdownTimeoutMs: manifest.lifecycle.shutdownTimeout,
    terminationGracePeriodMs: grace ?? manifest.lifecycle.shutdownTimeout + DEFAULT_TERMINATION_MARGIN_MS,
    memoryLimitBytes: memoryLimitFromManifest(manifest),
    allowSwap: (memory.swap as unknown) === true || (memory.swap as unknown) === "enabled",
    cpuLimitCores: cpu.limit === undefined ? undefined : parseCpu(cpu.limit),
    cpuRequestCores: cpuRequest === 0 ? undefined : cpuRequest,
    pidsLimit: pids?.limit,
    backoffMs: manifest.errorHandling.backoffMs,
    maxBackoffMs: manifest.errorHandling.maxBackoffMs,
  };
}
