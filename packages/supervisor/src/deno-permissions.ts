import type { RuntimeConfig } from "@aral/core";

/**
 * The paths a Deno agent may write and read under `aral run` (and in its exports): its storage roots (persistent, and
 * ephemeral - or the temp directory its runtime makes the ephemeral root in when only persistent is set) and its
 * audit log; it may also read its audit key and `extraRead` (the manifest file). Relative paths stay relative: Deno
 * resolves them against the agent's working directory, as the runtime does.
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
