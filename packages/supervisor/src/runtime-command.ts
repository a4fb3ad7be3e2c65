import type { RuntimeConfig } from "@aral/core";
import { denoPermissionPaths, denoSysPermissions } from "./deno-permissions.ts";
import { SupervisorConfigError } from "./errors.ts";
import { memoryLimitFromManifest } from "./manifest-settings.ts";

export const SUPERVISED_RUNTIMES = ["node", "deno", "bun"] as const;
export type SupervisedRuntime = (typeof SUPERVISED_RUNTIMES)[number];

export interface RuntimeCommandOptions {
  /** `layers.runtime` of the agent's manifest (defaults filled in): Deno permissions and the Node heap cap come from it. */
  manifest?: RuntimeConfig;
  /** Executable per runtime; default the bare name ("node", "deno", "bun"), found on PATH. */
  execPaths?: Partial<Record<SupervisedRuntime, string>>;
  /** Memory limit of the child; default `resources.memory.limit` of the manifest. Node gets a heap cap from it. */
  memoryLimitBytes?: number;
  /** Deno: further paths the child may read (e.g. the manifest file), added to `--allow-read`. */
  extraReadPaths?: readonly string[];
  /**
   * Deno: the temp directory the child's runtime makes its ephemeral root in when the manifest sets
   * `storage.persistent` but no `storage.ephemeral` (Deno's makeTempDir: $TMPDIR, else /tmp). Default "/tmp";
   * pass the child's TMPDIR when it has one.
   */
  tempDir?: string;
  /** Deno: pass `--allow-net` (default true; the manifest has no field that denies the network). */
  allowNet?: boolean;
  /** Arguments for the agent itself, after the entry. */
  args?: readonly string[];
}

const MiB = 1024 * 1024;

/** `--max-old-space-size` in MiB for a memory limit: the V8 heap cap (at least 1). */
export function nodeHeapFlag(memoryLimitBytes: number): string {
  return `--max-old-space-size=${Math.max(1, Math.floor(memoryLimitBytes / MiB))}`;
}

function permissionList(option: string, paths: readonly string[]): string {
  for (const path of paths) {
    // Deno separates the paths of one flag with commas; a path that contains one cannot be expressed.
    if (path.includes(","))
      throw new SupervisorConfigError(
        option,
        `runtimeCommand: ${option} path ${JSON.stringify(path)} contains a comma, which Deno's permission flags cannot express`,
      );
  }
  return [...new Set(paths)].join(",");
}

/**
 * The command line that runs `entry` under `runtime`, first element the executable:
 * - node: [node, --max-old-space-size=<MiB of the memory limit>?, entry, ...args]
 * - deno: [deno, "run", --allow-read=<what it writes + audit key + extraReadPaths>?, --allow-write=<storage roots +
 *   audit log>?, --allow-sys=hostname[,statfs], --allow-net?, --allow-env, entry, ...args] (denoPermissionPaths,
 *   denoSysPermissions)
 * - bun:  [bun, entry, ...args]
 * Which manifest field produces which flag is tabled in supervisor/README.md.
 */
export function runtimeCommand(
  runtime: SupervisedRuntime,
  entry: string,
  options: RuntimeCommandOptions = {},
): string[] {
  if (!SUPERVISED_RUNTIMES.includes(runtime)) {
    throw new SupervisorConfigError(
      "runtime",
      `runtimeCommand: runtime must be one of ${SUPERVISED_RUNTIMES.join(", ")}, got ${JSON.stringify(runtime)}`,
    );
  }
  if (typeof entry !== "string" || entry === "")
    throw new SupervisorConfigError(
      "entry",
      `runtimeCommand: entry must be a non-empty path, got ${JSON.stringify(entry)}`,
    );
  const args = options.args ?? [];
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== "string"))
    throw new SupervisorConfigError("args", "runtimeCommand: args must be an array of strings");
  const executable = options.execPaths?.[runtime] ?? runtime;
  if (typeof executable !== "string" || executable === "")
    throw new SupervisorConfigError(
      `execPaths.${runtime}`,
      `runtimeCommand: execPaths.${runtime} must be a non-empty string`,
    );
  const memoryLimit =
    options.memoryLimitBytes ?? (options.manifest ? memoryLimitFromManifest(options.manifest) : undefined);
  if (memoryLimit !== undefined && !(Number.isFinite(memoryLimit) && memoryLimit > 0)) {
    throw new SupervisorConfigError(
      "memoryLimitBytes",
      `runtimeCommand: memoryLimitBytes must be a positive number, got ${String(memoryLimit)}`,
    );
  }

  switch (runtime) {
    case "node":
      return [executable, ...(memoryLimit !== undefined ? [nodeHeapFlag(memoryLimit)] : []), entry, ...args];
    case "bun":
      return [executable, entry, ...args];
    case "deno": {
      const { write, read } = denoPermissionPaths(options.manifest, {
        tempDir: options.tempDir,
        extraRead: options.extraReadPaths,
      });
      const flags: string[] = [];
      if (read.length > 0) flags.push(`--allow-read=${permissionList("allow-read", read)}`);
      if (write.length > 0) flags.push(`--allow-write=${permissionList("allow-write", write)}`);
      flags.push(`--allow-sys=${denoSysPermissions(options.manifest).join(",")}`);
      if (options.allowNet ?? true) flags.push("--allow-net");
      // The supervisor already hands the child only the variables it may see (childEnvironment).
      flags.push("--allow-env");
      return [executable, "run", ...flags, entry, ...args];
    }
  }
}
