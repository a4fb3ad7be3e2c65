import type { RuntimeConfig } from "@aral/core";
import { resolvePath } from "../fleet/fleet-file.ts";

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
