import type { RuntimeConfig } from "@aral/core";
import { resolvePath } from "../fleet/fleet-file.ts";
import type { ExportAgent } from "./agent.ts";
import { denoPermissions, isWithin } from "./agent-command.ts";
import type { Notes } from "./notes.ts";

/** `layers.runtime.logging.audit` as absolute paths on the target: the log the runtime appends to, and its HMAC key. */
export interface AuditFiles {
  /** The audit log (the runtime appends to it, creating it in its directory). */
  path: string;
  /** Its directory: must be writable. */
  dir: string;
  /** The HMAC key file (read once at start), when the manifest names one. */
  keyFile: string | undefined;
}

function dirOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** The manifest's audit files, relative paths resolved against the agent's working directory (the runtime opens them from there). */
export function auditFiles(config: RuntimeConfig, workdir: string): AuditFiles | undefined {
  const audit = config.logging.audit;
  if (audit?.path === undefined) return undefined;
  const path = resolvePath(workdir, audit.path);
  return {
    path,
    dir: dirOf(path),
    keyFile: audit.keyFile === undefined ? undefined : resolvePath(workdir, audit.keyFile),
  };
}

/**
 * Deno runs with `aral run`'s permission flags, which let it write only the storage roots and read those and the
 * manifest: an audit log (or key) elsewhere is refused by Deno at start. Named here, as the target cannot change it.
 */
export function denoAuditNotes(
  agent: ExportAgent,
  audit: AuditFiles,
  manifestPath: string | undefined,
  notes: Notes,
): void {
  if (agent.runtime !== "deno") return;
  const { write, read } = denoPermissions(agent.config, manifestPath === undefined ? [] : [manifestPath]);
  if (!write.some((root) => isWithin(root, audit.path)))
    notes.notExpressible(
      "logging.audit.path",
      `Deno runs with aral run's permission flags, which allow writing only the storage roots (${write.length > 0 ? write.join(", ") : "none set"}): it refuses to open ${audit.path}; put the audit log inside resources.storage.persistent or .ephemeral`,
    );
  if (audit.keyFile !== undefined && !read.some((root) => isWithin(root, audit.keyFile!)))
    notes.notExpressible(
      "logging.audit.keyFile",
      `Deno runs with aral run's permission flags, which allow reading only the storage roots and the manifest: it refuses to read ${audit.keyFile}; put the key inside a storage root`,
    );
}
