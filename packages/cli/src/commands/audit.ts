import { verifyAuditLog } from "@aral/core/logging";
import type { Platform } from "@aral/core";
import type { Output } from "../output.ts";

const USAGE = "usage: aral audit verify <audit.log> [--expect-head <seq>:<hash>] [--key-file <file>] [--json]";

/**
 * `aral audit verify <file>`: checks the hash chain of an audit log written by the runtime. The chain shows
 * records changed, inserted, reordered or removed in the middle; records cut from the end (or the whole log
 * emptied) show only against a head kept elsewhere (`--expect-head`), and a forger who re-computes every hash
 * is caught only in keyed mode (`--key-file`, the key the log was written with).
 */
export async function audit(platform: Platform, args: string[], output: Output): Promise<number> {
  const positional: string[] = [];
  let expectHeadText: string | undefined;
  let keyFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--expect-head" || arg === "--key-file") {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) {
        output.err(`${arg} needs a value\n${USAGE}`);
        return 2;
      }
      if (arg === "--expect-head") expectHeadText = value;
      else keyFile = value;
    } else if (arg !== "--json") positional.push(arg);
  }
  const [sub, path] = positional;
  if (sub !== "verify" || !path) {
    output.err(USAGE);
    return 2;
  }
  let expectHead: { seq: number; hash: string } | undefined;
  if (expectHeadText !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(expectHeadText);
    if (!match) {
      output.err(
        `--expect-head must be <seq>:<64 lowercase hex digits> (as printed by a previous verify), got ${JSON.stringify(expectHeadText.slice(0, 100))}`,
      );
      return 2;
    }
    expectHead = { seq: Number(match[1]), hash: match[2]! };
  }
  let key: Uint8Array | undefined;
  let text: string;
  try {
    if (keyFile !== undefined) key = await platform.fs.readFile(keyFile);
    text = await platform.fs.readTextFile(path);
  } catch (error) {
    output.err(`${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (key !== undefined && key.byteLength < 16) {
    output.err(`--key-file ${keyFile}: the key must be at least 16 bytes, got ${key.byteLength}`);
    return 2;
  }
  const result = await verifyAuditLog(text, { ...(expectHead ? { expectHead } : {}), ...(key ? { key } : {}) });
  if (args.includes("--json")) output.out(JSON.stringify({ path, keyed: key !== undefined, ...result }));
  else if (!result.ok)
    output.err(`${path}: broken at line ${result.brokenAt} (expected seq ${result.seq}): ${result.reason}`);
  else if (result.complete)
    output.out(
      `${path}: intact and complete, ${result.count} records, head seq ${result.head.seq} matches --expect-head${key ? " (keyed)" : ""}`,
    );
  else {
    const caveat = result.count === 0 ? "empty: nothing verified" : "records cut from the end would not show";
    output.out(
      `${path}: chain intact, ${result.count} records, head ${result.head.seq}:${result.head.hash}${key ? " (keyed)" : ""} \u2014 NOT verified complete (${caveat}; pass --expect-head with a head kept elsewhere)`,
    );
    if (!key)
      output.out(
        `${path}: unkeyed: anyone who can edit the file can rewrite it and re-chain every hash; write and verify with --key-file to detect that`,
      );
  }
  if (!result.ok) return 1;
  // An empty log proves nothing unless a head said it should be empty.
  return result.count === 0 && !result.complete ? 1 : 0;
}
