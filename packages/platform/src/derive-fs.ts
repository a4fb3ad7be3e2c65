import type { FileSystem } from "./contract.ts";
import { isPlatformError } from "./errors.ts";

/** The file system an adapter maps: everything but what follows from stat and readFile. */
export type FileSystemPrimitives = Omit<FileSystem, "exists" | "readTextFile">;

const utf8 = new TextDecoder();

/** exists() and readTextFile(), the same on every runtime: from stat() and readFile(). */
export function deriveFileSystem(fs: FileSystemPrimitives): FileSystem {
  return {
    ...fs,
    readTextFile: async (path) => utf8.decode(await fs.readFile(path)),
    async exists(path) {
      try {
        await fs.stat(path);
        return true;
      } catch (error) {
        // only "not there" is an answer; a denied or broken lookup stays a failure
        if (isPlatformError(error, "NotFound") || isPlatformError(error, "NotADirectory")) return false;
        throw error;
      }
    },
  };
}
