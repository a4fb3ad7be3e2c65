import type { FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  PlatformError,
  fileInfoFromStats,
  makeDirectoryTree,
  mapErrors,
  toBytes,
  toPlatformError,
} from "@aral/platform";
import type { DirEntry, DirectoryOps, FileSystemPrimitives, WriteFileOptions } from "@aral/platform";
import { openDirHandle, readFileNoFollow } from "./dir-handle.ts";
import { plainBytes } from "./node-streams.ts";
import { fsPromises as fsp } from "./on-first-use.ts";

const READ_CHUNK_BYTES = 64 * 1024;

async function readFile(file: string, opts: { noFollow?: boolean } = {}): Promise<Uint8Array> {
  if (opts.noFollow) return mapErrors("readFile", file, () => readFileNoFollow(file));
  return plainBytes(await mapErrors("readFile", file, () => fsp.readFile(file)));
}

async function writeFile(file: string, data: Uint8Array | string, opts: WriteFileOptions = {}): Promise<void> {
  const options = { flag: opts.append ? "a" : "w", ...(opts.mode === undefined ? {} : { mode: opts.mode }) };
  await mapErrors("writeFile", file, () => fsp.writeFile(file, toBytes(data), options));
}

async function readDir(dir: string): Promise<DirEntry[]> {
  const entries = await mapErrors("readDir", dir, () => fsp.readdir(dir, { withFileTypes: true }));
  return entries.map((entry) => ({
    name: entry.name,
    isFile: entry.isFile(),
    isDirectory: entry.isDirectory(),
    isSymlink: entry.isSymbolicLink(),
  }));
}

async function remove(target: string, opts: { recursive?: boolean } = {}): Promise<void> {
  await mapErrors("remove", target, async () => {
    if (opts.recursive) return fsp.rm(target, { recursive: true, force: false });
    const stats = await fsp.lstat(target);
    if (!stats.isDirectory()) return fsp.unlink(target);
    try {
      await fsp.rmdir(target);
    } catch (error) {
      // POSIX allows EEXIST for a non-empty directory
      if ((error as { code?: string }).code === "EEXIST") {
        throw new PlatformError("NotEmpty", `NotEmpty: remove '${target}' failed: directory not empty`, {
          syscall: "remove",
          path: target,
          cause: error,
        });
      }
      throw error;
    }
  });
}

async function mkdirOne(dir: string, mode: number | undefined): Promise<void> {
  await mapErrors("mkdir", dir, () => fsp.mkdir(dir, mode === undefined ? {} : { mode }));
}

const directoryOps: DirectoryOps = {
  mkdir: mkdirOne,
  stat: async (file) => fileInfoFromStats(await fsp.stat(file), process.platform !== "win32"),
};

async function makeTempDir(opts: { prefix?: string } = {}): Promise<string> {
  // not path.join: with an empty prefix it would drop the separator and create the directory next to tmpdir
  const base = `${os.tmpdir()}${path.sep}${opts.prefix ?? "aral-"}`;
  return mapErrors("makeTempDir", base, () => fsp.mkdtemp(base));
}

async function openRead(file: string): Promise<ReadableStream<Uint8Array>> {
  const handle = await mapErrors("openRead", file, async () => {
    const opened = await fsp.open(file, "r");
    // open(2) succeeds on a directory; reading it would fail only later, inside the stream
    const stats = await opened.stat().catch(async (error: unknown) => {
      await opened.close();
      throw error;
    });
    if (stats.isDirectory()) {
      await opened.close();
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), { code: "EISDIR" });
    }
    return opened;
  });
  return readHandle(handle, file);
}

function readHandle(handle: FileHandle, file: string): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const buffer = new Uint8Array(READ_CHUNK_BYTES);
          const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK_BYTES, null);
          if (bytesRead === 0) {
            await close();
            controller.close();
            return;
          }
          controller.enqueue(bytesRead === READ_CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead));
        } catch (error) {
          await close().catch(() => {});
          controller.error(toPlatformError(error, { syscall: "read", path: file }));
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
}

async function openWrite(file: string): Promise<WritableStream<Uint8Array>> {
  const handle = await mapErrors("openWrite", file, () => fsp.open(file, "w"));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`fs.openWrite('${file}'): expected a Uint8Array chunk, got ${typeof chunk}`);
      }
      await mapErrors("write", file, async () => {
        let offset = 0;
        while (offset < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset, null);
          offset += bytesWritten;
        }
      });
    },
    close: () => mapErrors("close", file, close),
    abort: () => close().catch(() => {}),
  });
}

async function diskUsage(target: string) {
  const stats = await mapErrors("diskUsage", target, () => fsp.statfs(target));
  return {
    total: stats.blocks * stats.bsize,
    free: stats.bfree * stats.bsize,
    available: stats.bavail * stats.bsize,
  };
}

export function createNodeFileSystem(): FileSystemPrimitives {
  return {
    readFile,
    writeFile,
    async stat(file) {
      return fileInfoFromStats(await mapErrors("stat", file, () => fsp.stat(file)), process.platform !== "win32");
    },
    async lstat(file) {
      return fileInfoFromStats(await mapErrors("lstat", file, () => fsp.lstat(file)), process.platform !== "win32");
    },
    async mkdir(dir, opts = {}) {
      // not node's recursive mkdir: it retries forever where a parent takes no children (under /proc)
      if (opts.recursive === true) await makeDirectoryTree(directoryOps, dir, opts.mode);
      else await mkdirOne(dir, opts.mode);
    },
    readDir,
    remove,
    async rename(from, to) {
      await mapErrors("rename", from, () => fsp.rename(from, to));
    },
    async realPath(file) {
      return mapErrors("realPath", file, () => fsp.realpath(file));
    },
    async symlink(target, link) {
      await mapErrors("symlink", link, () => fsp.symlink(target, link));
    },
    makeTempDir,
    openRead,
    openWrite,
    diskUsage,
    openDir: (dir) => mapErrors("openDir", dir, () => openDirHandle(dir)),
  };
}
