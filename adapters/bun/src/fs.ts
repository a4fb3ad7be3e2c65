// Bun.file/Bun.write read and write files; node:fs/promises and node:os (loaded on first use) only for what Bun has
// no native API for (mkdir, readDir, stat/lstat, rename, remove, realPath, symlink, makeTempDir, statfs, append/mode
// writes, tmpdir), and node:fs's writeFileSync for small writes (see writeData).
import type { DirEntry, DiskUsage, FileSystemPrimitives, WriteFileOptions } from "@aral/platform";
import { PlatformError, fileInfoFromStats, mapErrors, mapReadableErrors } from "@aral/platform";
import { openDirHandle, readFileNoFollow } from "./dir-handle.ts";
import { fileSinkToWritable } from "./file-sink-stream.ts";
import { fsPromises, nodeFs, nodeOs } from "./on-first-use.ts";

export function createFileSystem(): FileSystemPrimitives {
  return {
    readFile: (path, opts) =>
      call("readFile", path, (p) => (opts?.noFollow ? readFileNoFollow(p) : Bun.file(p).bytes())),
    writeFile: (path, data, opts) => call("writeFile", path, (p) => writeData(p, data, opts)),
    stat: (path) => call("stat", path, async (p) => fileInfoFromStats(await fsPromises().stat(p))),
    lstat: (path) => call("lstat", path, async (p) => fileInfoFromStats(await fsPromises().lstat(p))),
    mkdir: (path, opts) =>
      call("mkdir", path, async (p) => {
        await fsPromises().mkdir(p, {
          recursive: opts?.recursive === true,
          ...(opts?.mode !== undefined ? { mode: opts.mode } : {}),
        });
      }),
    readDir: (path) =>
      call("readDir", path, async (p) => {
        const entries = await fsPromises().readdir(p, { withFileTypes: true });
        return entries.map(
          (entry): DirEntry => ({
            name: entry.name,
            isFile: entry.isFile(),
            isDirectory: entry.isDirectory(),
            isSymlink: entry.isSymbolicLink(),
          }),
        );
      }),
    remove: (path, opts) => call("remove", path, (p) => remove(p, opts?.recursive === true)),
    rename: (from, to) => call("rename", from, (p) => fsPromises().rename(p, to)),
    realPath: (path) => call("realPath", path, (p) => fsPromises().realpath(p)),
    symlink: (target, path) => call("symlink", path, (p) => fsPromises().symlink(target, p)),
    makeTempDir: (opts) => makeTempDir(opts?.prefix),
    openRead: (path) => call("openRead", path, openRead),
    openWrite: (path) => call("openWrite", path, openWrite),
    diskUsage: (path) => call("diskUsage", path, diskUsage),
    openDir: (path) => call("openDir", path, openDirHandle),
  };
}

/** Maps every failure to a PlatformError naming the call and the path. */
function call<T>(syscall: string, path: string, op: (path: string) => Promise<T>): Promise<T> {
  return mapErrors(syscall, path, () => op(path));
}

/** Like every other runtime, a missing parent directory is NotFound, not created silently; one shared options object per process. */
const SEPARATOR = process.platform === "win32" ? "\\" : "/";
const NO_CREATE_PATH = { createPath: false } as const;
const nothing = (): void => {};
const done = Promise.resolve();

/**
 * Up to this length Bun.write writes on the calling thread anyway (strace: its write(2) comes from the main thread),
 * and with `createPath: false` it costs ~10 % more than node:fs's writeFileSync doing the same syscalls (Bun 1.4.5).
 */
const SYNC_WRITE_MAX = 64 * 1024;

function writeData(path: string, data: Uint8Array | string, opts: WriteFileOptions = {}): Promise<void> {
  // Bun.write has no append, and ignores `mode` (Bun 1.4.5): node:fs/promises covers those two cases.
  if (opts.append) return fsPromises().appendFile(path, data, opts.mode === undefined ? {} : { mode: opts.mode });
  if (opts.mode !== undefined) return fsPromises().writeFile(path, data, { mode: opts.mode });
  if (data.length <= SYNC_WRITE_MAX) {
    nodeFs().writeFileSync(path, data);
    return done;
  }
  return Bun.write(path, data, NO_CREATE_PATH).then(nothing);
}

async function remove(path: string, recursive: boolean): Promise<void> {
  if (recursive) return fsPromises().rm(path, { recursive: true });
  // node's rm refuses every directory without `recursive`; the contract removes an empty one.
  const info = await fsPromises().lstat(path);
  if (info.isDirectory()) await fsPromises().rmdir(path);
  else await fsPromises().unlink(path);
}

async function makeTempDir(prefix = "aral-"): Promise<string> {
  const parent = nodeOs().tmpdir();
  // not join(): with an empty prefix it would drop the separator and create the directory next to tmpdir
  return mapErrors("makeTempDir", parent, () => fsPromises().mkdtemp(`${parent}${SEPARATOR}${prefix}`));
}

async function openRead(path: string): Promise<ReadableStream<Uint8Array>> {
  const file = Bun.file(path);
  // Bun.file(missing).stream() only fails on the first read: check up front so the promise rejects instead.
  const info = await file.stat();
  if (info.isDirectory()) {
    throw new PlatformError("IsADirectory", `IsADirectory: openRead '${path}' failed: it is a directory`, {
      syscall: "openRead",
      path,
    });
  }
  return mapReadableErrors(file.stream(), "read", path);
}

async function openWrite(path: string): Promise<WritableStream<Uint8Array>> {
  // Bun's FileSink neither truncates an existing file nor reports a missing parent before writing:
  // Bun.write creates or truncates it first, with errors (NotFound, IsADirectory...) surfacing here.
  await Bun.write(path, "", { createPath: false });
  return fileSinkToWritable(Bun.file(path).writer(), { syscall: "write", path });
}

async function diskUsage(path: string): Promise<DiskUsage> {
  const info = await fsPromises().statfs(path);
  return {
    total: info.blocks * info.bsize,
    free: info.bfree * info.bsize,
    available: info.bavail * info.bsize,
  };
}
