import { InvalidArgumentError, requireArgument } from "../invalid-argument.ts";
import type { DirEntry, DirHandle, FileInfo, Platform } from "@aral/platform";
import { isPlatformError, PlatformError } from "@aral/platform";
import { toBytes, concatBytes } from "@aral/platform";
import { parseBytes } from "./quantity.ts";
import { StorageEscapeError, StorageQuotaError } from "./errors.ts";
import { SharedExclusiveLock } from "./storage-lock.ts";
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
  /**
   * Removes ephemeral files last modified more than `ms` ago; returns their relative paths. Files that vanish
   * meanwhile are skipped, temp files of writes (`.aral-tmp-*`) are left to removeStaleTempFiles(), and once the
   * area is gone (cleanupEphemeral()) there is nothing to remove.
   */
  cleanupOlderThan(ms: number): Promise<string[]>;
  /**
   * Removes, from both areas, the temp files of writes (`.aral-tmp-*`) last modified more than
   * STALE_TEMP_FILE_AGE_MS (1 h) ago, and recounts the areas from disk (as refreshUsage()); returns the removed
   * files as "<area>:<relative path>". Such a file is left by a write whose process died between writing it and
   * renaming it into place. A write of this storage has no temp file while this runs (it holds each area
   * exclusively); the age keeps it off the temp file of a write in another process sharing an area.
   */
  removeStaleTempFiles(): Promise<string[]>;
  /** Disk space under the persistent root and the ephemeral parent directory, with `warning` at or past the warn ratio. */
  checkDisk(): Promise<DiskReport[]>;
}

const TEMP_PREFIX = ".aral-tmp-";

/**
 * Age (since its last modification) from which removeStaleTempFiles() takes a write's temp file for the debris of a
 * process that died mid-write. A live write's temp file is modified by each write call and renamed as soon as the
 * last one returns: it is never near this old unless its process stalls for an hour between the two, and then its
 * rename fails and the write rejects (nothing is lost silently). An hour also covers clock skew between this host and
 * a network file system's server.
 */
export const STALE_TEMP_FILE_AGE_MS = 60 * 60 * 1000;

/** Creates both roots (and the instance's ephemeral directory), counts what they hold and returns the storage API. */
export async function createStorage(platform: StoragePlatform, options: StorageOptions): Promise<Storage> {
  requireArgument(
    platform !== null && typeof platform === "object" && platform.fs !== null && typeof platform.fs === "object",
    "createStorage platform",
    "a platform with an fs",
    platform,
  );
  requireArgument(options !== null && typeof options === "object", "createStorage options", "an object", options);
  const fs = platform.fs;
  const maxSize = options.maxSize === undefined ? null : parseBytes(options.maxSize);
  const diskWarnRatio = options.diskWarnRatio ?? 0.9;
  requireArgument(
    typeof diskWarnRatio === "number" && diskWarnRatio >= 0 && diskWarnRatio <= 1,
    "createStorage diskWarnRatio",
    "a number from 0 to 1",
    diskWarnRatio,
  );
  requireArgument(
    options.wallClock === undefined || typeof options.wallClock === "function",
    "createStorage wallClock",
    "a function returning ms",
    options.wallClock,
  );
  const wallClock = options.wallClock ?? (() => Date.now());
  const absolute = (p: string, field: string): string => {
    requireArgument(
      typeof p === "string" && p.trim() !== "",
      `createStorage ${field}`,
      "a non-empty directory path",
      p,
    );
    if (isAbsolutePath(p)) return p;
    const cwd = platform.process?.cwd();
    if (!cwd)
      throw new TypeError(`createStorage: ${field} ${JSON.stringify(p)} is relative and the platform gives no cwd`);
    return joinPath(cwd, relativeSegments(p, cwd));
  };
  const persistentDir = absolute(options.persistent, "persistent");
  const ephemeralParent = absolute(options.ephemeral, "ephemeral");
  const ephemeralName = options.ephemeralDirName ?? `aral-ephemeral-${randomSuffix()}`;
  const singleName = (): boolean => {
    try {
      return relativeSegments(ephemeralName, ephemeralParent).length === 1;
    } catch {
      return false;
    }
  };
  if (typeof ephemeralName !== "string" || !singleName())
    throw new InvalidArgumentError("createStorage ephemeralDirName", "a single directory name", ephemeralName);
  await fs.mkdir(persistentDir, { recursive: true });
  await fs.mkdir(joinPath(ephemeralParent, [ephemeralName]), { recursive: true });

  /**
   * Bytes counted per area. Every change is a measured delta applied under a lock that keeps everything else
   * that could change the same bytes out: a single file's key (writes, removes of one file) inside the area's
   * shared side, or the area's exclusive side (recursive remove, age cleanup, recount). So after any
   * interleaving the count is what the API left on disk, and the quota check sees no stale number.
   */
  const used = { persistent: 0, ephemeral: 0 };
  const areaLocks = { persistent: new SharedExclusiveLock(), ephemeral: new SharedExclusiveLock() };
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

  const makeArea = async (
    name: "persistent" | "ephemeral",
    dir: string,
  ): Promise<{ area: StorageArea; removeStaleTemps: (cutoff: number) => Promise<string[]> }> => {
    const root = await fs.realPath(dir);
    const escapeError = (relPath: string, why: string): StorageEscapeError =>
      new StorageEscapeError(relPath, root, why);
    const areaLock = areaLocks[name];

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

    /**
     * Opens the parent directory of a file path, following a final in-root symlink (never one leading out)
     * unless `follow` is false: then the path names the link itself (remove() drops the link, as rm does).
     */
    const locate = async (relPath: string, create: boolean, hops = 0, follow = true): Promise<Located> => {
      const segments = relativeSegments(relPath, root);
      if (segments.length === 0) throw escapeError(relPath, "names the root directory itself, not a file in it");
      const name = segments[segments.length - 1]!;
      const dir = await openInside(relPath, segments.slice(0, -1), create);
      const path = `${dir.path}/${name}`;
      if (!follow) return { dir, path, key: `${dir.id}/${name}` };
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

    const using = async <T>(
      relPath: string,
      create: boolean,
      op: (file: Located) => Promise<T>,
      follow = true,
    ): Promise<T> => {
      const file = await locate(relPath, create, 0, follow);
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
    return { area, removeStaleTemps: removeStaleTempsIn };

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

    /** No name a write uses is a temp file's: list() would hide it and removeStaleTempFiles() could remove it. */
    function refuseTempNames(relPath: string, names: readonly string[]): void {
      if (names.some((n) => n.startsWith(TEMP_PREFIX)))
        throw new InvalidArgumentError(
          `storage.${name}.writeFile path`,
          `a path with no name starting with "${TEMP_PREFIX}" (reserved for the temp files of writes)`,
          relPath,
        );
    }

    async function writeIn(relPath: string, data: string | Uint8Array, opts: { append?: boolean }): Promise<void> {
      requireArgument(
        typeof data === "string" || data instanceof Uint8Array,
        `storage.${name}.writeFile data`,
        "a string or a Uint8Array",
        data,
      );
      requireArgument(opts !== null && typeof opts === "object", `storage.${name}.writeFile opts`, "an object", opts);
      refuseTempNames(relPath, relativeSegments(relPath, root));
      // The shared side of the area's lock spans locating the file too: a recursive remove or a cleanup (exclusive)
      // runs wholly before or wholly after this write, never between its measuring and its renaming.
      await areaLock.shared(() =>
        using(relPath, true, (file) =>
          withLock(file.key, async () => {
            refuseTempNames(relPath, [file.path.slice(file.dir.path.length + 1)]); // the target of a symlink followed
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
              used[name] += growth;
            } finally {
              reservedBytes -= reservation;
            }
          }),
        ),
      );
    }

    /**
     * Removes the named entry itself: a final symlink is unlinked, never followed (its target stays). A
     * recursive remove takes the area exclusively, since it changes bytes under many files' keys; it credits
     * what was there minus what is left, so a remove that fails halfway still keeps the count exact.
     */
    async function removeIn(relPath: string, opts: { recursive?: boolean }): Promise<void> {
      requireArgument(opts !== null && typeof opts === "object", `storage.${name}.remove opts`, "an object", opts);
      if (relativeSegments(relPath, root).length === 0)
        throw escapeError(relPath, "refusing to remove the root itself");
      if (opts.recursive) {
        await areaLock.exclusive(() =>
          using(
            relPath,
            false,
            async (file) => {
              const before = await countBytes(fs, file.path);
              try {
                await fs.remove(file.path, { recursive: true });
              } finally {
                used[name] -= before - (await countBytes(fs, file.path));
              }
            },
            false,
          ),
        );
        return;
      }
      // Without `recursive` only a file, a symlink or an empty directory can go: its own size is all it frees.
      await areaLock.shared(() =>
        using(
          relPath,
          false,
          (file) =>
            withLock(file.key, async () => {
              const freed = await ownBytes(fs, file.path);
              await fs.remove(file.path);
              used[name] -= freed;
            }),
          false,
        ),
      );
    }

    /**
     * Removes the area's temp files last modified before `cutoff` and recounts the area in the same walk; returns
     * the removed files' relative paths. The caller holds the area exclusively. Each file is removed through its
     * parent directory opened and verified inside the root, as a write reaches it.
     */
    async function removeStaleTempsIn(cutoff: number): Promise<string[]> {
      const stale: { segments: string[]; size: number }[] = [];
      let bytes = 0;
      const visit = async (path: string, segments: string[]): Promise<void> => {
        let entries: DirEntry[];
        try {
          entries = await fs.readDir(path);
        } catch (error) {
          if (vanished(error)) return;
          throw error;
        }
        for (const entry of entries) {
          const childPath = `${path}/${entry.name}`;
          let info: FileInfo;
          try {
            info = await fs.lstat(childPath);
          } catch (error) {
            if (vanished(error)) continue;
            throw error;
          }
          if (info.isDirectory) await visit(childPath, [...segments, entry.name]);
          else if (!info.isFile) continue;
          else if (entry.name.startsWith(TEMP_PREFIX) && info.mtime && info.mtime.getTime() < cutoff)
            stale.push({ segments: [...segments, entry.name], size: info.size });
          else bytes += info.size;
        }
      };
      await visit(root, []);
      const removed: string[] = [];
      let failure: unknown;
      for (const { segments, size } of stale) {
        const relPath = segments.join("/");
        try {
          const dir = await openInside(relPath, segments.slice(0, -1), false);
          try {
            const path = `${dir.path}/${segments[segments.length - 1]}`;
            const info = await fs.lstat(path);
            if (!info.isFile || !info.mtime || info.mtime.getTime() >= cutoff) {
              bytes += info.isFile ? info.size : 0; // written to meanwhile: not debris
              continue;
            }
            await fs.remove(path);
            removed.push(relPath);
          } finally {
            await dir.close();
          }
        } catch (error) {
          if (vanished(error)) continue;
          bytes += size;
          failure ??= error;
        }
      }
      used[name] = bytes;
      if (failure !== undefined) throw failure;
      return removed;
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
  const areas = {
    persistent: await makeArea("persistent", persistentDir),
    ephemeral: await makeArea("ephemeral", joinPath(ephemeralParent, [ephemeralName])),
  };
  const persistent = areas.persistent.area;
  const ephemeral = areas.ephemeral.area;

  // Each area is recounted alone (exclusive), so no write's delta lands on a count that already includes it.
  const refreshUsage = async (): Promise<StorageUsage> => {
    for (const area of [persistent, ephemeral]) {
      await areaLocks[area.name].exclusive(async () => {
        used[area.name] = await countBytes(fs, area.root);
      });
    }
    return storage.usage();
  };

  const storage: Storage = {
    persistent,
    ephemeral,
    maxSize,
    usage: () => ({ persistent: used.persistent, ephemeral: used.ephemeral, total: total(), maxSize }),
    refreshUsage,
    cleanupEphemeral: () =>
      areaLocks.ephemeral.exclusive(async () => {
        try {
          await fs.remove(ephemeral.root, { recursive: true });
        } catch (error) {
          if (!isPlatformError(error, "NotFound")) throw error;
        } finally {
          used.ephemeral = await countBytes(fs, ephemeral.root);
        }
      }),
    async cleanupOlderThan(ms) {
      requireArgument(typeof ms === "number", "cleanupOlderThan age", "a number of ms", ms);
      if (!(ms >= 0 && Number.isFinite(ms)))
        throw new RangeError(`cleanupOlderThan: age must be a non-negative number of ms, got ${ms}`);
      const cutoff = wallClock() - ms;
      const removed: string[] = [];
      const visit = async (dir: string, prefix: string): Promise<void> => {
        let entries: DirEntry[];
        try {
          entries = await fs.readDir(dir);
        } catch (error) {
          if (vanished(error)) return;
          throw error;
        }
        for (const entry of entries) {
          // A write's temp file is removed by the write (renamed into place, or removed on failure), or when stale
          // by removeStaleTempFiles().
          if (entry.name.startsWith(TEMP_PREFIX)) continue;
          const path = `${dir}/${entry.name}`;
          const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
          if (entry.isDirectory && !entry.isSymlink) {
            await visit(path, rel);
            continue;
          }
          try {
            const info = await fs.lstat(path);
            if (!info.mtime || info.mtime.getTime() >= cutoff) continue;
            await fs.remove(path);
            used.ephemeral -= info.isFile ? info.size : 0;
            removed.push(rel);
          } catch (error) {
            if (!vanished(error)) throw error;
          }
        }
      };
      // Exclusive: no write of the area runs between a file's lstat and its removal, so the size credited is
      // the size removed, and no write's temp file of this storage exists during the pass.
      await areaLocks.ephemeral.exclusive(() => visit(ephemeral.root, ""));
      return removed.sort();
    },
    async removeStaleTempFiles() {
      const cutoff = wallClock() - STALE_TEMP_FILE_AGE_MS;
      const removed: string[] = [];
      for (const name of ["persistent", "ephemeral"] as const) {
        const paths = await areaLocks[name].exclusive(() => areas[name].removeStaleTemps(cutoff));
        for (const path of paths) removed.push(`${name}:${path}`);
      }
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

/** Something removed or renamed it meanwhile (another process, or the area itself is gone): nothing to do. */
function vanished(error: unknown): boolean {
  return isPlatformError(error, "NotFound") || isPlatformError(error, "NotADirectory");
}

/** Bytes of `path` itself: its size when a regular file, else 0 (a symlink, an empty directory, nothing). */
async function ownBytes(fs: StorageFs, path: string): Promise<number> {
  try {
    const info = await fs.lstat(path);
    return info.isFile ? info.size : 0;
  } catch (error) {
    if (isPlatformError(error, "NotFound")) return 0;
    throw error;
  }
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
