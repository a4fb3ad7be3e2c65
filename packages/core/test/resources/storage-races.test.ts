/**
 * Storage usage after races, on real files. Each race is one fixed interleaving: a platform fs call of the first
 * operation is held at a gate, the second operation runs as far as it can (to its end, or until it waits on the
 * storage's own locks: no fs call of it in flight once the microtasks have drained), then the gate opens. Whatever
 * order the storage chooses, the count must equal the bytes on disk afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promises as fsp } from "node:fs";
import { gatedFs } from "../../../../conformance/src/harness/gated-fs.ts";
import type { GatedCall } from "../../../../conformance/src/harness/gated-fs.ts";
import { createStorage } from "../../src/resources/storage.ts";
import type { Storage, StoragePlatform } from "../../src/resources/storage.ts";
import { StorageQuotaError } from "../../src/resources/errors.ts";
import { testFs, testPlatform } from "./test-platform.ts";

/** testFs with gates (see gated-fs.ts), as the platform storage is opened on. */
function gatedPlatform(hooks: { before?: (call: GatedCall) => Promise<void> } = {}) {
  const g = gatedFs(testFs, hooks);
  return { ...g, platform: { ...testPlatform, fs: g.fs } satisfies StoragePlatform };
}

async function bytesOnDisk(dir: string): Promise<number> {
  let sum = 0;
  for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) sum += await bytesOnDisk(path);
    else if (entry.isFile()) sum += (await fsp.lstat(path)).size;
  }
  return sum;
}

let base: string;
const opened: Storage[] = [];

beforeEach(async () => {
  base = await fsp.realpath(await testPlatform.fs.makeTempDir({ prefix: "aral-storage-races-" }));
});

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.cleanupEphemeral().catch(() => {});
  await fsp.rm(base, { recursive: true, force: true });
});

async function open(platform: StoragePlatform, extra: { maxSize?: number; wallClock?: () => number } = {}) {
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

/** The count equals the bytes on disk, in the area and in a recount. */
async function expectExact(storage: Storage): Promise<void> {
  const disk = {
    persistent: await bytesOnDisk(storage.persistent.root),
    ephemeral: await bytesOnDisk(storage.ephemeral.root),
  };
  expect({ persistent: storage.usage().persistent, ephemeral: storage.usage().ephemeral }).toEqual(disk);
  expect(await storage.refreshUsage()).toMatchObject(disk);
}

const isRecursiveRemove = (c: GatedCall) =>
  c.op === "remove" && (c.args[1] as { recursive?: boolean })?.recursive === true;
const isTemp = (c: GatedCall) => c.path.includes("/.aral-tmp-");

describe("storage usage after races (one fixed interleaving each)", () => {
  it("remove('d', {recursive}) racing remove('d/x'): the file's bytes are credited once", async () => {
    const g = gatedPlatform();
    const storage = await open(g.platform);
    await storage.persistent.writeFile("keep", new Uint8Array(500));
    await storage.persistent.writeFile("d/x", new Uint8Array(300));
    const gate = g.hold(isRecursiveRemove);
    const tree = storage.persistent.remove("d", { recursive: true });
    await gate.reached;
    const file = storage.persistent.remove("d/x");
    await g.settledOrStuck(file);
    gate.open();
    await Promise.allSettled([tree, file]);
    await expect(tree).resolves.toBeUndefined();
    await expectExact(storage);
    expect(storage.usage().persistent).toBe(500);
  });

  it("remove('d', {recursive}) racing a shrinking write into d/x: usage stays what is on disk and the quota holds", async () => {
    const g = gatedPlatform();
    const storage = await open(g.platform);
    await storage.persistent.writeFile("keep", new Uint8Array(500));
    await storage.persistent.writeFile("d/x", new Uint8Array(300));
    const gate = g.hold(isRecursiveRemove);
    const tree = storage.persistent.remove("d", { recursive: true });
    await gate.reached;
    const shrink = storage.persistent.writeFile("d/x", "s");
    await g.settledOrStuck(shrink);
    gate.open();
    await Promise.allSettled([tree, shrink]);
    await expectExact(storage);
    // Filling up to maxSize from the count puts exactly maxSize on disk, and not a byte more goes in.
    await storage.persistent.writeFile("fill", new Uint8Array(10_000 - storage.usage().total));
    await expect(storage.persistent.writeFile("one-more", "x")).rejects.toBeInstanceOf(StorageQuotaError);
    expect(await bytesOnDisk(storage.persistent.root)).toBe(10_000);
  });

  it("cleanupOlderThan() racing a rewrite of an expired file: the rewritten bytes stay counted", async () => {
    const g = gatedPlatform();
    const storage = await open(g.platform);
    await storage.ephemeral.writeFile("state", new Uint8Array(400));
    const past = new Date(Date.now() - 3_600_000);
    await fsp.utimes(`${storage.ephemeral.root}/state`, past, past);
    // The write has measured the old file and is about to write its temp file.
    const gate = g.hold((c) => c.op === "writeFile" && isTemp(c));
    const write = storage.ephemeral.writeFile("state", new Uint8Array(400));
    await gate.reached;
    const cleanup = storage.cleanupOlderThan(60_000);
    await g.settledOrStuck(cleanup);
    gate.open();
    await Promise.allSettled([write, cleanup]);
    await expect(write).resolves.toBeUndefined();
    await expectExact(storage);
  });

  it("cleanupOlderThan() never removes a write's temp file in flight: the write succeeds and usage is exact", async () => {
    const g = gatedPlatform();
    // Every file is old to this clock, the temp file of the write below included.
    const storage = await open(g.platform, { wallClock: () => Date.now() + 3_600_000 });
    await storage.ephemeral.writeFile("state", new Uint8Array(400));
    const gate = g.hold((c) => c.op === "rename" && isTemp(c));
    const write = storage.ephemeral.writeFile("state", new Uint8Array(100));
    await gate.reached;
    const cleanup = storage.cleanupOlderThan(0);
    await g.settledOrStuck(cleanup);
    gate.open();
    await Promise.allSettled([write, cleanup]);
    await expect(write).resolves.toBeUndefined();
    await expect(cleanup).resolves.toEqual(expect.any(Array));
    await expectExact(storage);
  });

  it("refreshUsage() racing a shrinking write: the count does not fall below the disk", async () => {
    const g = gatedPlatform();
    const storage = await open(g.platform);
    await storage.persistent.writeFile("keep", new Uint8Array(500));
    await storage.persistent.writeFile("x", new Uint8Array(5000));
    // The write has renamed its 1 byte into place and not yet credited the 4,999 freed.
    const gate = g.hold((c) => c.op === "rename" && isTemp(c), "after");
    const write = storage.persistent.writeFile("x", "s");
    await gate.reached;
    const refresh = storage.refreshUsage();
    await g.settledOrStuck(refresh);
    gate.open();
    await Promise.all([write, refresh]);
    await expectExact(storage);
    expect(storage.usage().persistent).toBe(501);
  });

  it("200 concurrent writes of distinct files all land and are counted exactly", async () => {
    const storage = await open(testPlatform, { maxSize: 1_000_000 });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => storage.persistent.writeFile(`many/f${i}`, new Uint8Array(1000))),
    );
    expect(storage.usage().persistent).toBe(200_000);
    await expectExact(storage);
  });
});

describe("cleanupOlderThan() and files that vanish mid-walk", () => {
  it("skips a file or directory removed by someone else after it was listed, and leaves temp files alone", async () => {
    let storage: Storage | undefined;
    const g = gatedPlatform({
      // Another process removes each of these between the walk listing it and the walk reaching it.
      async before(call) {
        const root = storage?.ephemeral.root;
        if (!root) return;
        if (call.op === "lstat" && call.path === `${root}/gone-before-lstat`) await fsp.rm(call.path);
        if (call.op === "remove" && call.path === `${root}/gone-before-remove`) await fsp.rm(call.path);
        if (call.op === "readDir" && call.path === `${root}/gone-dir`) await fsp.rm(call.path, { recursive: true });
      },
    });
    storage = await open(g.platform, { wallClock: () => Date.now() + 3_600_000 });
    for (const name of ["gone-before-lstat", "gone-before-remove", "gone-dir/f", "expired"])
      await storage.ephemeral.writeFile(name, "12345");
    await fsp.writeFile(`${storage.ephemeral.root}/.aral-tmp-leftover`, "temp");
    expect(await storage.cleanupOlderThan(60_000)).toEqual(["expired"]);
    expect((await fsp.readdir(storage.ephemeral.root)).sort()).toEqual([".aral-tmp-leftover"]);
  });

  it("finds nothing to clean once the ephemeral area is removed (a timer firing after stop)", async () => {
    const storage = await open(testPlatform);
    await storage.ephemeral.writeFile("a", "x");
    await storage.cleanupEphemeral();
    await expect(storage.cleanupOlderThan(0)).resolves.toEqual([]);
    expect(storage.usage().ephemeral).toBe(0);
  });
});
