import type { FileInfo } from "./contract.ts";

/** The part of a Node-style fs.Stats (Node, Bun, Deno's node:fs) that FileInfo is made of. */
export interface StatsLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  size: number;
  mtime?: Date | null;
  mode: number;
}

/** FileInfo from Node-style stats; `modeKnown` false where permission bits mean nothing (Windows). */
export function fileInfoFromStats(stats: StatsLike, modeKnown = true): FileInfo {
  return {
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    isSymlink: stats.isSymbolicLink(),
    size: stats.size,
    mtime: stats.mtime ?? null,
    mode: modeKnown ? stats.mode & 0o7777 : null,
  };
}
