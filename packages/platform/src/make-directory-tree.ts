import type { FileInfo } from "./contract.ts";
import { isPlatformError } from "./errors.ts";

/** The two calls a directory tree is made with: a mkdir of one directory, and stat. */
export interface DirectoryOps {
  mkdir(path: string, mode: number | undefined): Promise<void>;
  stat(path: string): Promise<FileInfo>;
}

function parentOf(path: string): string | undefined {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "" || trimmed === ".") return undefined;
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : trimmed.slice(0, slash);
}

async function isDirectory(ops: DirectoryOps, path: string): Promise<boolean> {
  return ops.stat(path).then(
    (info) => info.isDirectory,
    () => false,
  );
}

/**
 * `mkdir -p` from a one-directory mkdir (`mode` for each directory it makes): the path, else its parent first and
 * then the path, once. An existing directory is fine; an existing path that is not one rejects AlreadyExists; a file
 * on the way, NotADirectory; a parent that exists but takes no children (under /proc) rejects NotFound. Node's own
 * recursive mkdir retries that last one forever.
 */
export async function makeDirectoryTree(ops: DirectoryOps, path: string, mode?: number): Promise<void> {
  try {
    await ops.mkdir(path, mode);
    return;
  } catch (error) {
    if (isPlatformError(error, "AlreadyExists") && (await isDirectory(ops, path))) return;
    const parent = isPlatformError(error, "NotFound") ? parentOf(path) : undefined;
    if (parent === undefined) throw error;
  }
  await makeDirectoryTree(ops, parentOf(path)!, mode);
  try {
    await ops.mkdir(path, mode);
  } catch (error) {
    // made meanwhile by someone else: as good as made here
    if (isPlatformError(error, "AlreadyExists") && (await isDirectory(ops, path))) return;
    throw error;
  }
}
