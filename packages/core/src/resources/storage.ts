import type { DirEntry, Platform } from "@aral/platform";
import { isPlatformError } from "@aral/platform";
import { toBytes, concatBytes } from "@aral/platform";
import { parseBytes } from "./quantity.ts";
import { StorageEscapeError, StorageQuotaError } from "./errors.ts";
import { isAbsolutePath, isInside, joinPath, relativeSegments } from "./storage-path.ts";

export type StorageFs = Pick<Platform["fs"], "readFile" | "writeFile" | "stat" | "lstat" | "exists" | "mkdir" | "readDir" | "remove" | "rename" | "realPath" | "diskUsage">;

export interface StoragePlatform {
  readonly fs: StorageFs;
  readonly process?: { cwd(): string };
}

export interface StorageOptions {
  /** Root of files that outlive the process (the manifest's `storage.persistent`). */
  persistent: string;
  /** Directory under which this instance keeps its temporary files (the manifest's `storage.ephemeral`). */
  ephemeral: string;
  /** Quota over both areas: bytes or a quantity such as "10Gi". */
  maxSize?: number | string;
  /**
   * Subdirectory of `ephemeral` owned by this instance. Cleanup only ever touches it, never the rest of a
   * shared directory such as /tmp. Default: "aral-ephemeral-<random>".
   */
  ephemeralDirName?: string;
  /** Fraction of a root's disk in use from which checkDisk() warns. Default 0.9. */
  diskWarnRatio?: number;
  /** Wall clock for file ages (compared with mtimes). Default Date.now. */
  wallClock?: () => number;
}

export interface StorageUsage {
  readonly persistent: number;
  readonly ephemeral: number;
  readonly total: number;
  readonly maxSize: number | null;
}

export interface DiskReport {
  readonly root: string;
  readonly total: number;
  readonly available: number;
  readonly usedRatio: number;
  readonly warning: boolean;
}

export interface StorageArea {
  readonly name: "persistent" | "ephemeral";
  /** Canonical absolute directory of the area. */
  readonly root: string;
  /** Absolute path for `relPath`, or StorageEscapeError when it would leave the root. */
  resolve(relPath: string): Promise<string>;
  /** Writes atomically (temp file, then rename) after checking the quota. */
  writeFile(relPath: string, data: Uint8Array | string, opts?: { append?: boolean }): Promise<void>;
  readFile(relPath: string): Promise<Uint8Array>;
  readTextFile(relPath: string): Promise<string>;
  remove(relPath: string, opts?: { recursive?: boolean }): Promise<void>;
  /** Entries of a directory in the area (the root by default), without in-progress temp files. */
  list(relPath?: string): Promise<DirEntry[]>;
  /** Bytes of regular files in the area. */
  usage(): number;
}

export interface Storage {
  readonly persistent: StorageArea;
  readonly ephemeral: StorageArea;
  readonly maxSize: number | null;
  usage(): StorageUsage;
  /** Recounts both areas from disk (files written around this API). */
  refreshUsage(): Promise<StorageUsage>;
  /** Removes every ephemeral file and the instance's ephemeral directory itself (on stop). */
  cleanupEphemeral(): Promise<void>;
  /** Removes ephemeral files last modified more than `ms` ago; returns their relative paths. */
  cleanupOlderThan(ms: number): Promise<string[]>;
  /** Disk space under the persistent root and the ephemeral parent directory, with `warning` at or past the warn ratio. */
  checkDisk(): Promise<DiskReport[]>;
}

const TEMP_PREFIX = ".aral-tmp-";

/** Creates both roots (and the instance's ephemeral directory), counts what they hold and returns the storage API. */
export async function createStorage(platform: StoragePlatform, options: StorageOptions): Promise<Storage> {
  const fs = platform.fs;
  const maxSize = options.maxSize === undefined ? null : parseBytes(options.maxSize);
  const diskWarnRatio = options.diskWarnRatio ?? 0.9;
  const wallClock = options.wallClock ?? (() => Date.now());
  const absolute = (p: string, field: string): string => {
    if (typeof p !== "string" || p.trim() === "") throw new TypeError(`createStorage: ${field} must be a non-empty directory path`);
    if (isAbsolutePath(p)) return p;
    const cwd = platform.process?.cwd();
    if (!cwd) throw new TypeError(`createStorage: ${field} ${JSON.stringify(p)} is relative and the platform gives no cwd`);
    return joinPath(cwd, relativeSegments(p, cwd));
  };
  const persistentDir = absolute(options.persistent, "persistent");
  const ephemeralParent = absolute(options.ephemeral, "ephemeral");
  const ephemeralName = options.ephemeralDirName ?? `aral-ephemeral-${randomSuffix()}`;
  if (relativeSegments(ephemeralName, ephemeralParent).length !== 1) throw new TypeError(`createStorage: ephemeralDirName ${JSON.stringify(ephemeralName)} must be a single directory name`);
  await fs.mkdir(persistentDir, { recursive: true });
  await fs.mkdir(joinPath(ephemeralParent, [ephemeralName]), { recursive: true });

  const used = { persistent: 0, ephemeral: 0 };
  let reservedBytes = 0;
  const locks = new Map<string, Promise<unknown>>();

  const withLock = async <T>(key: string, op: () => Promise<T>): Promise<T> => {
    const previous = locks.get(key) ?? Promise.resolve();
    const run = previous.then(op, op);
    const settled = run.catch(() => {});
    locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (locks.get(key) === settled) locks.delete(key);
    }
  };

  const total = (): number => used.persistent + used.ephemeral;

  const makeArea = async (name: "persistent" | "ephemeral", dir: string): Promise<StorageArea> => {
    const root = await fs.realPath(dir);

    const resolve = async (relPath: string): Promise<string> => {
      const segments = relativeSegments(relPath, root);
      const target = joinPath(root, segments);
      // The nearest existing ancestor (or the target itself) must stay inside the root once symlinks are resolved.
      for (let depth = segments.length; depth >= 0; depth--) {
        const candidate = joinPath(root, segments.slice(0, depth));
        let real: string;
        try {
          real = await fs.realPath(candidate);
        } catch (error) {
          if (isPlatformError(error, "NotFound") || isPlatformError(error, "NotADirectory")) {
            // A dangling symlink is an escape attempt we cannot vet: refuse it rather than write through it.
            if (depth > 0 && (await isSymlink(candidate))) throw new StorageEscapeError(relPath, root, `${candidate} is a symlink whose target does not exist`);
            continue;
          }
          throw error;
        }
        if (!isInside(real, root)) throw new StorageEscapeError(relPath, root, `${candidate} resolves to ${real}, outside the root`);
        return target;
      }
      return target;
    };

    const isSymlink = async (path: string): Promise<boolean> => {
      try {
        return (await fs.lstat(path)).isSymlink;
      } catch {
        return false;
      }
    };

    const sizeOf = async (path: string): Promise<number> => {
      try {
        const info = await fs.lstat(path);
        return info.isFile ? info.size : 0;
      } catch (error) {
        if (isPlatformError(error, "NotFound")) return 0;
        throw error;
      }
    };

    const area: StorageArea = {
      name,
      root,
      resolve,
      async writeFile(relPath, data, opts = {}) {
        const target = await resolve(relPath);
        await withLock(target, async () => {
          const bytes = toBytes(data);
          const existing = await sizeOf(target);
          const finalBytes = opts.append && existing > 0 ? concatBytes([await fs.readFile(target), bytes]) : bytes;
          const growth = finalBytes.byteLength - existing;
          if (maxSize !== null && growth > 0 && total() + reservedBytes + growth > maxSize) {
            throw new StorageQuotaError(`${name}:${relPath}`, growth, total() + reservedBytes, maxSize);
          }
          const reservation = Math.max(0, growth);
          reservedBytes += reservation;
          try {
            const parent = target.slice(0, target.lastIndexOf("/"));
            await fs.mkdir(parent, { recursive: true });
            const temp = `${parent}/${TEMP_PREFIX}${randomSuffix()}`;
            try {
              await fs.writeFile(temp, finalBytes);
              await fs.rename(temp, target);
            } catch (error) {
              await fs.remove(temp).catch(() => {});
              throw error;
            }
            used[name] += growth;
          } finally {
            reservedBytes -= reservation;
          }
        });
      },
      async readFile(relPath) {
        return fs.readFile(await resolve(relPath));
      },
      async readTextFile(relPath) {
        return new TextDecoder().decode(await fs.readFile(await resolve(relPath)));
      },
      async remove(relPath, opts = {}) {
        const target = await resolve(relPath);
        if (target === root) throw new StorageEscapeError(relPath, root, "refusing to remove the root itself");
        await withLock(target, async () => {
          const freed = await countBytes(fs, target);
          await fs.remove(target, opts);
          used[name] = Math.max(0, used[name] - freed);
        });
      },
      async list(relPath = ".") {
        const entries = await fs.readDir(await resolve(relPath));
        return entries.filter((e) => !e.name.startsWith(TEMP_PREFIX)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      },
      usage: () => used[name],
    };
    return area;
  };

  const ephemeralParentReal = await fs.realPath(ephemeralParent);
  const persistent = await makeArea("persistent", persistentDir);
  const ephemeral = await makeArea("ephemeral", joinPath(ephemeralParent, [ephemeralName]));

  const refreshUsage = async (): Promise<StorageUsage> => {
    used.persistent = await countBytes(fs, persistent.root);
    used.ephemeral = await countBytes(fs, ephemeral.root);
    return storage.usage();
  };

  const storage: Storage = {
    persistent,
    ephemeral,
    maxSize,
    usage: () => ({ persistent: used.persistent, ephemeral: used.ephemeral, total: total(), maxSize }),
    refreshUsage,
    async cleanupEphemeral() {
      await fs.remove(ephemeral.root, { recursive: true }).catch((error: unknown) => {
        if (!isPlatformError(error, "NotFound")) throw error;
      });
      used.ephemeral = 0;
    },
    async cleanupOlderThan(ms) {
      if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`cleanupOlderThan: age must be a non-negative number of ms, got ${ms}`);
      const cutoff = wallClock() - ms;
      const removed: string[] = [];
      const visit = async (dir: string, prefix: string): Promise<void> => {
        for (const entry of await fs.readDir(dir)) {
          const path = `${dir}/${entry.name}`;
          const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
          if (entry.isDirectory && !entry.isSymlink) {
            await visit(path, rel);
            continue;
          }
          const info = await fs.lstat(path);
          if (info.mtime && info.mtime.getTime() < cutoff) {
            await fs.remove(path);
            used.ephemeral = Math.max(0, used.ephemeral - (info.isFile ? info.size : 0));
            removed.push(rel);
          }
        }
      };
      await visit(ephemeral.root, "");
      return removed.sort();
    },
    async checkDisk() {
      const reports: DiskReport[] = [];
      // The ephemeral area is gone after cleanupEphemeral(); its parent lives on the same disk.
      for (const root of [persistent.root, ephemeralParentReal]) {
        const d = await fs.diskUsage(root);
        const usedRatio = d.total > 0 ? 1 - d.available / d.total : 0;
        reports.push({ root, total: d.total, available: d.available, usedRatio, warning: usedRatio >= diskWarnRatio });
      }
      return reports;
    },
  };
  await refreshUsage();
  return storage;
}

/** Bytes of regular files under `path` (symlinks are not followed). */
async function countBytes(fs: StorageFs, path: string): Promise<number> {
  let info;
  try {
    info = await fs.lstat(path);
  } catch (error) {
    if (isPlatformError(error, "NotFound")) return 0;
    throw error;
  }
  if (info.isFile) return info.size;
  if (!info.isDirectory) return 0;
  let sum = 0;
  for (const entry of await fs.readDir(path)) sum += await countBytes(fs, `${path}/${entry.name}`);
  return sum;
}

function randomSuffix(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
