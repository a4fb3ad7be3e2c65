import { verifyAuditLog } from "@aral/core/logging";
import type { Platform } from "@aral/core";
import { commandArguments, usageError } from "../arguments.ts";
import type { Output } from "../output.ts";

const USAGE = "usage: aral audit verify <audit.log> [--expect-head <seq>:<hash>] [--key-file <file>] [--json]";

/**
 * `aral audit verify <file>`: checks the hash chain of an audit log written by the runtime. The chain shows
 * records changed, inserted, reordered or removed in the middle; records cut from the end (or the whole log
 * emptied) show only against a head kept elsewhere (`--expect-head`), and a forger who re-computes every hash
 * is caught only in keyed mode (`--key-file`, the key the log was written with).
 */
export async function audit(platform: Platform, argv: string[], output: Output): Promise<number> {
  const args = commandArguments(output, argv, {
    command: "aral audit",
    usage: USAGE,
    flags: ["--json"],
    values: ["--expect-head", "--key-file"],
    required: ["verify", "<audit.log>"],
  });
  if (typeof args === "number") return args;
  if (args.positionals[0] !== "verify")
    return usageError(
      output,
      `aral audit: unknown subcommand ${JSON.stringify(args.positionals[0])} (the one there is: verify)`,
      USAGE,
    );
  const path = args.positionals[1]!;
  const expectHeadText = args.values.get("--expect-head");
  const keyFile = args.values.get("--key-file");
  let expectHead: { seq: number; hash: string } | undefined;
  if (expectHeadText !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(expectHeadText);
    if (!match)
      return usageError(
        output,
        `aral audit: --expect-head must be <seq>:<64 lowercase hex digits> (as printed by a previous verify), got ${JSON.stringify(expectHeadText.slice(0, 100))}`,
        USAGE,
      );
    expectHead = { seq: Number(match[1]), hash: match[2]! };
  }
  let key: Uint8Array | undefined;
  let text: string;
  let reading = keyFile;
  try {
    if (keyFile !== undefined) key = await platform.fs.readFile(keyFile);
    reading = path;
    text = await platform.fs.readTextFile(path);
  } catch (error) {
    output.err(`aral audit: cannot read ${reading}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (key !== undefined && key.byteLength < 16)
    return usageError(
      output,
      `aral audit: --key-file ${keyFile}: the key must be at least 16 bytes, got ${key.byteLength}`,
      USAGE,
    );
  const result = await verifyAuditLog(text, { ...(expectHead ? { expectHead } : {}), ...(key ? { key } : {}) });
  if (args.flags.has("--json")) output.out(JSON.stringify({ path, keyed: key !== undefined, ...result }));
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
