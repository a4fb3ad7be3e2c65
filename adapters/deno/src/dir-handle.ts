// Directories held by descriptor and reads that refuse a final symlink: what confined storage checks
// on what was actually opened rather than on a path string. Linux names an open descriptor as
// /proc/self/fd/<fd>; elsewhere the handle falls back to the canonical path at open time (pinned: false).
import { constants } from "node:fs";
import fsp from "node:fs/promises";
import type { DirHandle } from "@aral/platform";

const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export async function openDirHandle(dir: string): Promise<DirHandle> {
  const handle = await fsp.open(dir, constants.O_RDONLY | O_DIRECTORY);
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, open '${dir}'`), { code: "ENOTDIR" });
    const id = `${stats.dev}:${stats.ino}`;
    const close = () => handle.close();
    const fdPath = `/proc/self/fd/${handle.fd}`;
    const pinned = await fsp.readlink(fdPath).catch(() => null);
    if (pinned !== null && pinned.startsWith("/")) return { path: fdPath, realPath: pinned, pinned: true, id, close };
    const realPath = await fsp.realpath(dir);
    return { path: realPath, realPath, pinned: false, id, close };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function readFileNoFollow(file: string): Promise<Uint8Array> {
  const handle = await fsp.open(file, constants.O_RDONLY | O_NOFOLLOW);
  try {
    const data = await handle.readFile();
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } finally {
    await handle.close();
  }
}
