import { requireArgument } from "../invalid-argument.ts";
import type { DirEntry, DirHandle, Platform } from "@aral/platform";
import { isPlatformError, PlatformError } from "@aral/platform";
import { toBytes, concatBytes } from "@aral/platform";
import { parseBytes } from "./quantity.ts";
import { StorageEscapeError, StorageQuotaError } from "./errors.ts";
import { isAbsolutePath, isInside, joinPath, relativeSegments } from "./storage-path.ts";

export type StorageFs = Pick<
  Platform["fs"],
  | "readFile"
  | "writeFile"
  | "stat"
  | "lstat"
  | "exists"
  | "mkdir"
  | "readDir"
  | "remove"
  | "rename"
  | "realPath"
  | "diskUsage"
  | "openDir"
>;

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
    if (typeof p !== "string" || p.trim() === "")
      throw new TypeError(`createStorage: ${field} must be a non-empty directory path`);
    if (isAbsolutePath(p)) return p;
    const cwd = platform.process?.cwd();
    if (!cwd)
      throw new TypeError(`createStorage: ${field} ${JSON.stringify(p)} is relative and the platform gives no cwd`);
    return joinPath(cwd, relativeSegments(p, cwd));
  };
  const persistentDir = absolute(options.persistent, "persistent");
  const ephemeralParent = absolute(options.ephemeral, "ephemeral");
  const ephemeralName = options.ephemeralDirName ?? `aral-ephemeral-${randomSuffix()}`;
  if (relativeSegments(ephemeralName, ephemeralParent).length !== 1)
    throw new TypeError(
      `createStorage: ephemeralDirName ${JSON.stringify(ephemeralName)} must be a single directory name`,
    );
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
    const escapeError = (relPath: string, why: string): StorageEscapeError =>
      new StorageEscapeError(relPath, root, why);

    /**
     * Opens the directory `segments` names and checks, through the descriptor, that what was opened is
     * inside the root. Everything after that goes through `handle.path`, which keeps naming the opened
     * directory even if a component of its path is swapped for a symlink meanwhile.
     */
    const openInside = async (relPath: string, segments: readonly string[], create: boolean): Promise<DirHandle> => {
      const verified = async (path: string): Promise<DirHandle> => {
        const handle = await fs.openDir(path);
        if (isInside(handle.realPath, root)) return handle;
        await handle.close();
        throw escapeError(relPath, `${path} resolves to ${handle.realPath}, outside the root`);
      };
      try {
        return await verified(joinPath(root, segments));
      } catch (error) {
        if (!create || !(isPlatformError(error, "NotFound") || isPlatformError(error, "NotADirectory"))) throw error;
      }
      // Create the missing directories one at a time, each inside a directory already opened and verified.
      let handle = await verified(root);
      try {
        for (const segment of segments) {
          const next = `${handle.path}/${segment}`;
          await fs.mkdir(next).catch((error: unknown) => {
            if (!isPlatformError(error, "AlreadyExists")) throw error;
          });
          const opened = await verified(next).catch(async (error: unknown) => {
            // A dangling symlink on the way is an escape attempt that cannot be vetted: refuse, don't create through it.
            if (isPlatformError(error, "NotFound") && (await isSymlink(next)))
              throw escapeError(relPath, `${segment} is a symlink whose target does not exist`);
            throw error;
          });
          await handle.close();
          handle = opened;
        }
        return handle;
      } catch (error) {
        await handle.close();
        throw error;
      }
    };

    interface Located {
      readonly dir: DirHandle;
      /** Path of the file through the opened directory. */
      readonly path: string;
      /** One key per file however it is spelled: the identity of the opened directory (device, inode) and the name. */
      readonly key: string;
    }

    /** Opens the parent directory of a file path, following a final in-root symlink (never one leading out). */
    const locate = async (relPath: string, create: boolean, hops = 0): Promise<Located> => {
      const segments = relativeSegments(relPath, root);
      if (segments.length === 0) throw escapeError(relPath, "names the root directory itself, not a file in it");
      const name = segments[segments.length - 1]!;
      const dir = await openInside(relPath, segments.slice(0, -1), create);
      const path = `${dir.path}/${name}`;
      let link = false;
      try {
        link = (await fs.lstat(path)).isSymlink;
      } catch (error) {
        if (!isPlatformError(error, "NotFound")) {
          await dir.close();
          throw error;
        }
      }
      if (!link) return { dir, path, key: `${dir.id}/${name}` };
      let real: string;
      try {
        real = await fs.realPath(path);
      } catch (error) {
        throw isPlatformError(error, "NotFound")
          ? escapeError(relPath, `${name} is a symlink whose target does not exist`)
          : error;
      } finally {
        await dir.close();
      }
      if (!isInside(real, root) || real === root)
        throw escapeError(relPath, `${name} is a symlink to ${real}, outside the root`);
      if (hops >= 8) throw escapeError(relPath, "too many levels of symlinks");
      return locate(real.slice(root.length + 1), create, hops + 1);
    };

    const using = async <T>(relPath: string, create: boolean, op: (file: Located) => Promise<T>): Promise<T> => {
      const file = await locate(relPath, create);
      try {
        return await op(file);
      } finally {
        await file.dir.close();
      }
    };

    /** Reads without following a final symlink: one swapped in after locate() is refused, not read through. */
    const readNoFollow = async (relPath: string, file: Located): Promise<Uint8Array> => {
      try {
        return await fs.readFile(file.path, { noFollow: true });
      } catch (error) {
        if (await isSymlink(file.path))
          throw escapeError(relPath, "the file was replaced by a symlink while being read");
        throw error;
      }
    };

    const isSymlink = async (path: string): Promise<boolean> => {
      try {
        return (await fs.lstat(path)).isSymlink;
      } catch {
        return false;
      }
    };

    const sizeOf = async (relPath: string, path: string): Promise<number> => {
      try {
        const info = await fs.lstat(path);
        if (info.isSymlink) throw escapeError(relPath, "the file was replaced by a symlink");
        return info.isFile ? info.size : 0;
      } catch (error) {
        if (isPlatformError(error, "NotFound")) return 0;
        throw error;
      }
    };

    /**
     * The operation, its failures named as the caller knows the file (`storage.persistent.readFile 'notes/a.txt'`)
     * rather than by the descriptor path it was reached through (/proc/self/fd/N/...); the original is the cause.
     */
    const named = <T>(op: string, relPath: string, run: () => Promise<T>): Promise<T> =>
      run().catch((error: unknown) => {
        if (!isPlatformError(error) || typeof relPath !== "string") throw error;
        const where = `storage.${name}.${op} '${relPath.length > 200 ? `${relPath.slice(0, 200)}\u2026` : relPath}'`;
        throw new PlatformError(error.code, `${error.code}: ${where} failed (root ${root})`, {
          path: joinPath(root, relativeSegments(relPath, root)),
          syscall: op,
          cause: error,
        });
      });

    const area: StorageArea = {
      name,
      root,
      resolve: (relPath) => named("resolve", relPath, () => resolveIn(relPath)),
      writeFile: (relPath, data, opts = {}) => named("writeFile", relPath, () => writeIn(relPath, data, opts)),
      readFile: (relPath) =>
        named("readFile", relPath, () => using(relPath, false, (file) => readNoFollow(relPath, file))),
      async readTextFile(relPath) {
        return new TextDecoder().decode(await area.readFile(relPath));
      },
      remove: (relPath, opts = {}) => named("remove", relPath, () => removeIn(relPath, opts)),
      list: (relPath = ".") => named("list", relPath, () => listIn(relPath)),
      usage: () => used[name],
    };
    return area;

    async function resolveIn(relPath: string): Promise<string> {
      if (relativeSegments(relPath, root).length === 0) return root;
      return using(
        relPath,
        false,
        async (file) => `${file.dir.realPath}/${file.path.slice(file.dir.path.length + 1)}`,
      ).catch((error: unknown) => {
        if (isPlatformError(error, "NotFound")) return joinPath(root, relativeSegments(relPath, root));
        throw error;
      });
    }

    async function writeIn(relPath: string, data: string | Uint8Array, opts: { append?: boolean }): Promise<void> {
      requireArgument(
        typeof data === "string" || data instanceof Uint8Array,
        `storage.${name}.writeFile data`,
        "a string or a Uint8Array",
        data,
      );
      requireArgument(opts !== null && typeof opts === "object", `storage.${name}.writeFile opts`, "an object", opts);
      await using(relPath, true, (file) =>
        withLock(file.key, async () => {
          const bytes = toBytes(data);
          const existing = await sizeOf(relPath, file.path);
          const finalBytes =
            opts.append && existing > 0 ? concatBytes([await readNoFollow(relPath, file), bytes]) : bytes;
          const growth = finalBytes.byteLength - existing;
          if (maxSize !== null && growth > 0 && total() + reservedBytes + growth > maxSize) {
            throw new StorageQuotaError(`${name}:${relPath}`, growth, total() + reservedBytes, maxSize);
          }
          const reservation = Math.max(0, growth);
          reservedBytes += reservation;
          try {
            const temp = `${file.dir.path}/${TEMP_PREFIX}${randomSuffix()}`;
            try {
              await fs.writeFile(temp, finalBytes);
              await fs.rename(temp, file.path);
            } catch (error) {
              await fs.remove(temp).catch(() => {});
              throw error;
            }
            used[name] = Math.max(0, used[name] + growth);
          } finally {
            reservedBytes -= reservation;
          }
        }),
      );
    }

    async function removeIn(relPath: string, opts: { recursive?: boolean }): Promise<void> {
      if (relativeSegments(relPath, root).length === 0)
        throw escapeError(relPath, "refusing to remove the root itself");
      await using(relPath, false, (file) =>
        withLock(file.key, async () => {
          const freed = await countBytes(fs, file.path);
          await fs.remove(file.path, opts);
          used[name] = Math.max(0, used[name] - freed);
        }),
      );
    }

    async function listIn(relPath: string): Promise<DirEntry[]> {
      const dir = await openInside(relPath, relativeSegments(relPath, root), false);
      try {
        const entries = await fs.readDir(dir.path);
        return entries
          .filter((e) => !e.name.startsWith(TEMP_PREFIX))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } finally {
        await dir.close();
      }
    }
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
      requireArgument(typeof ms === "number", "cleanupOlderThan age", "a number of ms", ms);
      if (!(ms >= 0 && Number.isFinite(ms)))
        throw new RangeError(`cleanupOlderThan: age must be a non-negative number of ms, got ${ms}`);
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
  let entries: DirEntry[];
  try {
    entries = await fs.readDir(path);
  } catch (error) {
    // Vanished (or replaced) while being counted: nothing of it to count.
    if (isPlatformError(error, "NotFound") || isPlatformError(error, "NotADirectory")) return 0;
    throw error;
  }
  let sum = 0;
  for (const entry of entries) sum += await countBytes(fs, `${path}/${entry.name}`);
  return sum;
}

function randomSuffix(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
