// Directories held by descriptor and reads that refuse a final symlink: what confined storage checks
// on what was actually opened rather than on a path string. Linux names an open descriptor as
// /proc/self/fd/<fd>; elsewhere the handle falls back to the canonical path at open time (pinned: false).
// For runtimes with node:fs/promises (Node, Deno, Bun): the adapter hands in the module, this file imports none.
import type { DirHandle } from "./contract.ts";

/** The parts of a node:fs/promises FileHandle used here. */
export interface FileHandleLike {
  readonly fd: number;
  stat(opts: { bigint: true }): Promise<{ isDirectory(): boolean; dev: bigint; ino: bigint }>;
  readFile(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The parts of node:fs/promises used here. */
export interface NodeFsPromisesLike {
  open(path: string, flags: number): Promise<FileHandleLike>;
  readlink(path: string): Promise<string>;
  realpath(path: string): Promise<string>;
}

/** node:fs's open flags. */
export interface OpenFlagsLike {
  readonly O_RDONLY: number;
  readonly O_DIRECTORY?: number;
  readonly O_NOFOLLOW?: number;
}

export interface DirHandleOps {
  openDirHandle(dir: string): Promise<DirHandle>;
  readFileNoFollow(file: string): Promise<Uint8Array>;
}

export function dirHandlesOnNodeFs(fsp: NodeFsPromisesLike, constants: OpenFlagsLike): DirHandleOps {
  const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
  const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
  return {
    async openDirHandle(dir) {
      const handle = await fsp.open(dir, constants.O_RDONLY | O_DIRECTORY);
      try {
        const stats = await handle.stat({ bigint: true });
        if (!stats.isDirectory())
          throw Object.assign(new Error(`ENOTDIR: not a directory, open '${dir}'`), { code: "ENOTDIR" });
        const id = `${stats.dev}:${stats.ino}`;
        const close = () => handle.close();
        const fdPath = `/proc/self/fd/${handle.fd}`;
        const pinned = await fsp.readlink(fdPath).catch(() => null);
        if (pinned?.startsWith("/")) return { path: fdPath, realPath: pinned, pinned: true, id, close };
        const realPath = await fsp.realpath(dir);
        return { path: realPath, realPath, pinned: false, id, close };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
    async readFileNoFollow(file) {
      const handle = await fsp.open(file, constants.O_RDONLY | O_NOFOLLOW);
      try {
        const data = await handle.readFile();
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      } finally {
        await handle.close();
      }
    },
  };
}
