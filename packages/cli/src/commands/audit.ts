import { verifyAuditLog } from "@aral/core/logging";
import type { Platform } from "@aral/core";
import type { Output } from "../output.ts";

/** `aral audit verify <file> [--json]`: checks the hash chain of an audit log written by the runtime. */
export async function audit(platform: Platform, args: string[], output: Output): Promise<number> {
  const [sub, path] = args.filter((a) => !a.startsWith("--"));
  if (sub !== "verify" || !path) {
    output.err("usage: aral audit verify <audit.log> [--json]");
    return 2;
  }
  let text: string;
  try {
    text = await platform.fs.readTextFile(path);
  } catch (error) {
    output.err(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const result = await verifyAuditLog(text);
  if (args.includes("--json")) output.out(JSON.stringify({ path, ...result }));
  else if (result.ok) output.out(`${path}: intact, ${result.count} records, head seq ${result.head.seq} ${result.head.hash}`);
  else output.err(`${path}: broken at line ${result.brokenAt} (expected seq ${result.seq}): ${result.reason}`);
  return result.ok ? 0 : 1;
}
