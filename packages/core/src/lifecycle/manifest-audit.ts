import type { Platform } from "../platform.ts";
import type { RuntimeConfig } from "../config/index.ts";
import type { AuditLog } from "../logging/audit.ts";

/**
 * The audit log `logging.audit` asks for: appended to `path` (continuing the chain already there), each
 * hash an HMAC-SHA-256 under the bytes of `keyFile` when one is named (verify with
 * `aral audit verify --key-file`). Undefined when the manifest asks for none.
 */
export async function openManifestAudit(
  platform: Platform,
  settings: RuntimeConfig["logging"]["audit"],
): Promise<AuditLog | undefined> {
  if (settings?.path === undefined) return undefined;
  const key = settings.keyFile === undefined ? undefined : await platform.fs.readFile(settings.keyFile);
  // The hash chain, HMAC and file sink load only when a manifest asks for an audit log.
  const { openFileAuditLog } = await import("../logging/audit.ts");
  return openFileAuditLog(platform, settings.path, key === undefined ? {} : { key });
}
