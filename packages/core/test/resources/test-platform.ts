/** A minimal Platform fs over node:fs/promises for tests, so storage tests do not wait on an adapter. */
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toPlatformError } from "@aral/platform";
import type { DirEntry, FileInfo } from "@aral/platform";
import type { StoragePlatform } from "../../src/resources/storage.ts";
import { openDirHandle, readFileNoFollow } from "../../../../adapters/node/src/dir-handle.ts";

function info(s: import("node:fs").Stats): FileInfo {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    size: s.size,
    mtime: s.mtime,
    mode: s.mode & 0o777,
  };
}

async function wrap<T>(syscall: string, path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    throw toPlatformError(error, { syscall, path });
  }
}

export const testFs = {
  readFile: (p: string, opts: { noFollow?: boolean } = {}) =>
    wrap("readFile", p, async () => (opts.noFollow ? readFileNoFollow(p) : new Uint8Array(await fsp.readFile(p)))),
  openDir: (p: string) => wrap("openDir", p, () => openDirHandle(p)),
  readTextFile: (p: string) => wrap("readFile", p, () => fsp.readFile(p, "utf8")),
  writeFile: (p: string, data: Uint8Array | string, opts: { append?: boolean } = {}) =>
    wrap("writeFile", p, () => (opts.append ? fsp.appendFile(p, data) : fsp.writeFile(p, data))),
  stat: (p: string) => wrap("stat", p, async () => info(await fsp.stat(p))),
  lstat: (p: string) => wrap("lstat", p, async () => info(await fsp.lstat(p))),
  exists: async (p: string) =>
    fsp.access(p).then(
      () => true,
      () => false,
    ),
  mkdir: (p: string, opts: { recursive?: boolean } = {}) =>
    wrap("mkdir", p, async () => void (await fsp.mkdir(p, opts))),
  readDir: (p: string) =>
    wrap(
      "readDir",
      p,
      async (): Promise<DirEntry[]> =>
        (await fsp.readdir(p, { withFileTypes: true })).map((d) => ({
          name: d.name,
          isFile: d.isFile(),
          isDirectory: d.isDirectory(),
          isSymlink: d.isSymbolicLink(),
        })),
    ),
  remove: (p: string, opts: { recursive?: boolean } = {}) =>
    wrap("remove", p, async () => {
      const s = await fsp.lstat(p);
      if (s.isDirectory() && !opts.recursive) await fsp.rmdir(p);
      else await fsp.rm(p, { recursive: !!opts.recursive });
    }),
  rename: (a: string, b: string) => wrap("rename", a, () => fsp.rename(a, b)),
  realPath: (p: string) => wrap("realPath", p, () => fsp.realpath(p)),
  symlink: (target: string, p: string) => wrap("symlink", p, () => fsp.symlink(target, p)),
  makeTempDir: (opts: { prefix?: string } = {}) => fsp.mkdtemp(join(tmpdir(), opts.prefix ?? "aral-test-")),
  diskUsage: (p: string) =>
    wrap("diskUsage", p, async () => {
      const s = await fsp.statfs(p);
      return { total: s.blocks * s.bsize, free: s.bfree * s.bsize, available: s.bavail * s.bsize };
    }),
};

export const testPlatform: StoragePlatform & { fs: typeof testFs } = {
  fs: testFs,
  process: { cwd: () => process.cwd() },
};
