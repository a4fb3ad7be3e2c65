import type { RuntimeConfig } from "@aral/core";

/**
 * The paths a Deno agent may write and read under `aral run` (and in its exports): its storage roots (persistent, and
 * ephemeral - or the temp directory its runtime makes the ephemeral root in when only persistent is set) and its
 * audit log; it may also read its audit key and `extraRead` (the manifest file). Relative paths stay relative: Deno
 * resolves them against the agent's working directory, as the runtime does. The audit log's directory is not among
 * them (the agent may write its log, not beside it): the supervisor creates it first (denoDirectoriesToCreate).
 */
export function denoPermissionPaths(
  manifest: RuntimeConfig | undefined,
  options: { tempDir?: string | undefined; extraRead?: readonly string[] | undefined } = {},
): { write: string[]; read: string[] } {
  const storage = manifest?.resources.storage;
  const ephemeral = storage?.ephemeral ?? (storage?.persistent !== undefined ? (options.tempDir ?? "/tmp") : undefined);
  const audit = manifest?.logging.audit;
  const write = [storage?.persistent, ephemeral, audit?.path].filter((path): path is string => path !== undefined);
  const read = [...write, ...(audit?.keyFile !== undefined ? [audit.keyFile] : []), ...(options.extraRead ?? [])];
  return { write, read };
}

/**
 * The directories a Deno agent needs but may not create under denoPermissionPaths: the audit log's. The runtime makes
 * it at start on the other runtimes; the supervisor, which may, makes it before a Deno agent starts.
 */
export function denoDirectoriesToCreate(manifest: RuntimeConfig | undefined): string[] {
  const path = manifest?.logging.audit?.path;
  const slash = path?.lastIndexOf("/") ?? -1;
  return path !== undefined && slash > 0 ? [path.slice(0, slash)] : [];
}

/**
 * The system information a Deno agent reads (`--allow-sys=`, one list): hostname always, for pino's base field
 * `hostname` on every log line (without it Deno.hostname() throws and the runtime logs ""); statfs when it has a
 * storage root, for the disk usage its resource monitor samples and `aral_disk_usage_ratio` shows (without it every
 * sample of a root fails).
 */
export function denoSysPermissions(manifest: RuntimeConfig | undefined): string[] {
  const storage = manifest?.resources.storage;
  const statfs = storage?.persistent !== undefined || storage?.ephemeral !== undefined;
  return ["hostname", ...(statfs ? ["statfs"] : [])];
}
