import type { RuntimeConfig } from "@aral/core";
import { parseBytes } from "@aral/core/resources";

/** `resources.memory.limit` in bytes, or undefined when the manifest sets none. */
export function memoryLimitFromManifest(manifest: RuntimeConfig): number | undefined {
  const limit = manifest.resources.memory.limit;
  return limit === undefined ? undefined : parseBytes(limit);
}

/** What the supervisor takes from a manifest (README.md tables it); the restart counts are the supervisor's own. */
export interface SupervisorManifestSettings {
  shutdownTimeoutMs: number;
  memoryLimitBytes: number | undefined;
  backoffMs: number;
  maxBackoffMs: number;
}

export function supervisorSettingsFromManifest(manifest: RuntimeConfig): SupervisorManifestSettings {
  return {
    shutdownTimeoutMs: manifest.lifecycle.shutdownTimeout,
    memoryLimitBytes: memoryLimitFromManifest(manifest),
    backoffMs: manifest.errorHandling.backoffMs,
    maxBackoffMs: manifest.errorHandling.maxBackoffMs,
  };
}
