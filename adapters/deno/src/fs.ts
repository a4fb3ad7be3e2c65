import type { DirEntry, DiskUsage, FileInfo, FileSystemPrimitives, WriteFileOptions } from "@aral/platform";
import { PlatformError, mapErrors, mapReadableErrors, mapWritableErrors, toBytes } from "@aral/platform";
// Deno.* has no statfs; Deno's Node compatibility layer does (node:fs/promises, loaded by the first diskUsage).
import { fsPromises } from "./on-first-use.ts";
// Deno.* exposes no descriptor numbers nor O_NOFOLLOW: openDir and no-follow reads go through node:fs too.
import { openDirHandle, readFileNoFollow } from "./dir-handle.ts";

function toFileInfo(info: Deno.FileInfo): FileInfo {
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    isSymlink: info.isSymlink,
    size: info.size,
    mtime: info.mtime,
    // Deno reports the whole st_mode; the contract wants the permission bits only.
    mode: info.mode === null ? null : info.mode & 0o7777,
  };
}

async function openReadable(path: string): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  // Opening a directory for reading succeeds on Unix; fail here, like readFile does, not at the first read.
  let isDirectory: boolean;
  try {
    isDirectory = (await file.stat()).isDirectory;
  } catch (error) {
    file.close();
    throw error;
  }
  if (isDirectory) {
    file.close();
    throw new PlatformError("IsADirectory", `IsADirectory: openRead '${path}' failed: the path is a directory`, {
      syscall: "openRead",
      path,
    });
  }
  return mapReadableErrors(file.readable, "read", path);
}

const CREATE_OR_TRUNCATE: Deno.WriteFileOptions = Object.freeze({ append: false, create: true });

export function createFileSystem(): FileSystemPrimitives {
  return {
    readFile: (path, opts = {}) =>
      mapErrors("readFile", path, () => (opts.noFollow ? readFileNoFollow(path) : Deno.readFile(path))),
    writeFile(path, data, opts: WriteFileOptions = {}) {
      // the plain write (no append, no mode) shares one options object
      let options: Deno.WriteFileOptions = CREATE_OR_TRUNCATE;
      if (opts.append || opts.mode !== undefined) {
        options = { append: opts.append ?? false, create: true };
        if (opts.mode !== undefined) options.mode = opts.mode;
      }
      return mapErrors("writeFile", path, () => Deno.writeFile(path, toBytes(data), options));
    },
    stat: (path) => mapErrors("stat", path, async () => toFileInfo(await Deno.stat(path))),
    lstat: (path) => mapErrors("lstat", path, async () => toFileInfo(await Deno.lstat(path))),
    mkdir: (path, opts = {}) =>
      mapErrors("mkdir", path, () =>
        Deno.mkdir(path, {
          recursive: opts.recursive ?? false,
          ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
        }),
      ),
    readDir: (path) =>
      mapErrors("readDir", path, async () => {
        const entries: DirEntry[] = [];
        for await (const entry of Deno.readDir(path)) {
          entries.push({
            name: entry.name,
            isFile: entry.isFile,
            isDirectory: entry.isDirectory,
            isSymlink: entry.isSymlink,
          });
        }
        return entries;
      }),
    remove: (path, opts = {}) =>
      mapErrors("remove", path, () => Deno.remove(path, { recursive: opts.recursive ?? false })),
    rename: (from, to) => mapErrors("rename", from, () => Deno.rename(from, to)),
    realPath: (path) => mapErrors("realPath", path, () => Deno.realPath(path)),
    symlink: (target, path) => mapErrors("symlink", path, () => Deno.symlink(target, path)),
    makeTempDir: (opts = {}) =>
      mapErrors("makeTempDir", opts.prefix, () =>
        Deno.makeTempDir(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
      ),
    openRead: (path) => mapErrors("openRead", path, () => openReadable(path)),
    openWrite: (path) =>
      mapErrors("openWrite", path, async () => {
        const file = await Deno.open(path, { write: true, create: true, truncate: true });
        return mapWritableErrors(file.writable, "write", path);
      }),
    diskUsage: (path) =>
      mapErrors("diskUsage", path, async (): Promise<DiskUsage> => {
        const s = await fsPromises().statfs(path);
        return { total: s.blocks * s.bsize, free: s.bfree * s.bsize, available: s.bavail * s.bsize };
      }),
    openDir: (path) => mapErrors("openDir", path, () => openDirHandle(path)),
  };
}
