// Test-only stand-in for the adapter's fs (the node adapter is built concurrently): real files via node:fs.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Platform } from "@aral/platform";

export type FsOnly = Pick<Platform, "fs">;

export function nodeFsPlatform(): FsOnly & { appends: number } {
  const platform = {
    appends: 0,
    fs: {
      async writeFile(path: string, data: Uint8Array | string, opts?: { append?: boolean }) {
        if (opts?.append) {
          platform.appends++;
          await appendFile(path, data);
        } else await writeFile(path, data);
      },
      readTextFile: (path: string) => readFile(path, "utf8"),
      exists: (path: string) =>
        stat(path).then(
          () => true,
          () => false,
        ),
    } as unknown as Platform["fs"],
  };
  return platform;
}

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "aral-logging-"));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export { join, readFile };
