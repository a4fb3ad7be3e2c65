// Test-only fs for loadManifest: real files through node:fs, errors mapped like an adapter does.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Platform } from "@aral/platform";
import { toPlatformError } from "@aral/platform";

export function fsPlatform(): Pick<Platform, "fs"> {
  return {
    fs: {
      readTextFile: (path: string) =>
        readFile(path, "utf8").catch((error: unknown) => {
          throw toPlatformError(error, { path, syscall: "open" });
        }),
    } as unknown as Platform["fs"],
  };
}

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export async function tempDir(): Promise<{
  path: string;
  write: (name: string, text: string) => Promise<string>;
  cleanup: () => Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), "aral-config-"));
  return {
    path,
    write: async (name, text) => {
      const file = join(path, name);
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

export { join, readFile };
