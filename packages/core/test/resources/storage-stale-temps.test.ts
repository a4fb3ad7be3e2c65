/**
 * Temp files of writes (`.aral-tmp-*`) left behind by a process that died mid-write: removeStaleTempFiles() takes
 * those not modified for STALE_TEMP_FILE_AGE_MS from both areas and recounts, on real files; it never takes the temp
 * file of a write in flight in this process, however old the clock says it is; and no write may use such a name.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, promises as fsp } from "node:fs";
import { gatedFs } from "../../../../conformance/src/harness/gated-fs.ts";
import { InvalidArgumentError } from "../../src/invalid-argument.ts";
import { StorageQuotaError } from "../../src/resources/errors.ts";
import { createStorage, STALE_TEMP_FILE_AGE_MS } from "../../src/resources/storage.ts";
import type { Storage, StorageOptions, StoragePlatform } from "../../src/resources/storage.ts";
import { testFs, testPlatform } from "./test-platform.ts";

let base: string;
const opened: Storage[] = [];

beforeEach(async () => {
  base = await fsp.realpath(await testPlatform.fs.makeTempDir({ prefix: "aral-stale-temps-" }));
});

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.cleanupEphemeral().catch(() => {});
  await fsp.rm(base, { recursive: true, force: true });
});

async function open(platform: StoragePlatform = testPlatform, extra: Partial<StorageOptions> = {}): Promise<Storage> {
  const storage = await createStorage(platform, {
    persistent: `${base}/data`,
    ephemeral: `${base}/tmp`,
    ephemeralDirName: "instance",
    maxSize: 10_000,
    ...extra,
  });
  opened.push(storage);
  return storage;
}

/** Writes `size` bytes at `path` as a crashed write would have left them, last modified `ageMs` ago. */
async function leftover(path: string, size: number, ageMs: number): Promise<void> {
  await fsp.writeFile(path, new Uint8Array(size));
  const then = new Date(Date.now() - ageMs);
  await fsp.utimes(path, then, then);
}

async function bytesOnDisk(dir: string): Promise<number> {
  let sum = 0;
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) sum += await bytesOnDisk(path);
    else if (entry.isFile()) sum += (await fsp.lstat(path)).size;
  }
  return sum;
}

const STALE = STALE_TEMP_FILE_AGE_MS + 60_000;

describe("removeStaleTempFiles()", () => {
  it("removes temp files an hour old from both areas, keeps younger ones and everything else, and frees their quota", async () => {
    const storage = await open();
    const data = storage.persistent.root;
    const tmp = storage.ephemeral.root;
    await storage.persistent.writeFile("keep", new Uint8Array(100));
    await storage.persistent.writeFile("dir/keep", new Uint8Array(100));
    await storage.persistent.writeFile("old-but-not-a-temp-file", new Uint8Array(100));
    await storage.ephemeral.writeFile("e", new Uint8Array(50));
    const oldFile = new Date(Date.now() - STALE);
    await fsp.utimes(`${data}/old-but-not-a-temp-file`, oldFile, oldFile);
    await leftover(`${data}/.aral-tmp-crashed1`, 1000, STALE);
    await leftover(`${data}/dir/.aral-tmp-crashed2`, 1000, STALE);
    await leftover(`${tmp}/.aral-tmp-crashed3`, 500, STALE);
    // Possibly a write in flight in another process sharing the area: too young to be taken for debris.
    await leftover(`${data}/.aral-tmp-young`, 200, STALE_TEMP_FILE_AGE_MS - 60_000);
    // Named like temp files but not regular files: never a write's, never removed.
    await fsp.mkdir(`${data}/.aral-tmp-dir`);
    await leftover(`${data}/.aral-tmp-dir/f`, 10, STALE);
    await fsp.writeFile(`${base}/outside`, "outside");
    await fsp.symlink(`${base}/outside`, `${data}/.aral-tmp-link`);
    await fsp.lutimes(`${data}/.aral-tmp-link`, oldFile, oldFile);

    // A recount counts the debris against the quota: 8,000 bytes more do not fit.
    expect(await storage.refreshUsage()).toMatchObject({ persistent: 2510, ephemeral: 550 });
    await expect(storage.persistent.writeFile("big", new Uint8Array(8000))).rejects.toBeInstanceOf(StorageQuotaError);

    expect(await storage.removeStaleTempFiles()).toEqual([
      "ephemeral:.aral-tmp-crashed3",
      "persistent:.aral-tmp-crashed1",
      "persistent:dir/.aral-tmp-crashed2",
    ]);
    expect((await fsp.readdir(data)).sort()).toEqual([
      ".aral-tmp-dir",
      ".aral-tmp-link",
      ".aral-tmp-young",
      "dir",
      "keep",
      "old-but-not-a-temp-file",
    ]);
    expect(await fsp.readdir(`${data}/dir`)).toEqual(["keep"]);
    expect(await fsp.readdir(tmp)).toEqual(["e"]);
    expect(await fsp.readFile(`${base}/outside`, "utf8")).toBe("outside");
    expect(storage.usage()).toMatchObject({
      persistent: await bytesOnDisk(data),
      ephemeral: await bytesOnDisk(tmp),
      total: 560,
    });
    await storage.persistent.writeFile("big", new Uint8Array(8000));

    // An hour on, the younger one is debris too.
    const later = await open(testPlatform, { wallClock: () => Date.now() + STALE_TEMP_FILE_AGE_MS });
    expect(await later.removeStaleTempFiles()).toEqual(["persistent:.aral-tmp-young"]);
    expect(later.usage().persistent).toBe(await bytesOnDisk(data));
  });

  it("never removes the temp file of a write in flight in this process, however old the clock says it is", async () => {
    const g = gatedFs(testFs);
    const storage = await open({ ...testPlatform, fs: g.fs }, { wallClock: () => Date.now() + STALE });
    await storage.persistent.writeFile("state", "before");
    // The write has written its temp file and is about to rename it into place.
    const gate = g.hold((c) => c.op === "rename" && c.path.includes("/.aral-tmp-"));
    const write = storage.persistent.writeFile("state", "after");
    await gate.reached;
    const sweep = storage.removeStaleTempFiles();
    await g.settledOrStuck(sweep);
    expect((await fsp.readdir(storage.persistent.root)).filter((n) => n.startsWith(".aral-tmp-"))).toHaveLength(1);
    gate.open();
    await expect(write).resolves.toBeUndefined();
    await expect(sweep).resolves.toEqual([]);
    expect(await storage.persistent.readTextFile("state")).toBe("after");
    expect(storage.usage().persistent).toBe(await bytesOnDisk(storage.persistent.root));
  });

  it("skips a temp file removed by someone else between the walk and its removal", async () => {
    let root: string | undefined;
    const g = gatedFs(testFs, {
      async before(call) {
        if (root && call.op === "remove" && call.path.endsWith("/.aral-tmp-crashed")) await fsp.rm(call.path);
      },
    });
    const storage = await open({ ...testPlatform, fs: g.fs });
    root = storage.persistent.root;
    await storage.persistent.writeFile("keep", "12345");
    await leftover(`${root}/.aral-tmp-crashed`, 100, STALE);
    await expect(storage.removeStaleTempFiles()).resolves.toEqual([]);
    expect(existsSync(`${root}/.aral-tmp-crashed`)).toBe(false);
    expect(storage.usage().persistent).toBe(5);
  });

  it("finds nothing in the ephemeral area once it is removed", async () => {
    const storage = await open();
    await leftover(`${storage.ephemeral.root}/.aral-tmp-crashed`, 100, STALE);
    await storage.cleanupEphemeral();
    await expect(storage.removeStaleTempFiles()).resolves.toEqual([]);
    expect(storage.usage().ephemeral).toBe(0);
  });
});

describe("writeFile() and temp file names", () => {
  it("refuses a path with a name like a write's temp file's, directly or through a symlink, and writes nothing", async () => {
    const storage = await open();
    const root = storage.persistent.root;
    for (const name of [".aral-tmp-mine", "sub/.aral-tmp-mine", ".aral-tmp-dir/f"]) {
      const error = await storage.persistent.writeFile(name, "x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toContain('no name starting with ".aral-tmp-"');
    }
    expect(await fsp.readdir(root)).toEqual([]);
    await fsp.writeFile(`${root}/.aral-tmp-target`, "made around the API");
    await fsp.symlink(`${root}/.aral-tmp-target`, `${root}/alias`);
    await expect(storage.persistent.writeFile("alias", "x")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await fsp.readFile(`${root}/.aral-tmp-target`, "utf8")).toBe("made around the API");
  });
});
