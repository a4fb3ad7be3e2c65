import { InvalidArgumentError, QuantityError, StorageEscapeError, StorageQuotaError } from "@aral/core";
import { createStorage, STALE_TEMP_FILE_AGE_MS } from "@aral/core/resources";
import type { Storage } from "@aral/core";
import type { PlatformError } from "@aral/platform";
import { bytesEqual, deepEqual, equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import type { ConformanceContext } from "../harness/case.ts";
import { gatedFs } from "../harness/gated-fs.ts";
import type { GatedCall } from "../harness/gated-fs.ts";
import { patternedBytes, sleep, within } from "../harness/helpers.ts";

const CAPABILITY = "resources.storage";

/** A storage over two fresh roots inside one temp dir; `outside` is a sibling directory no write may reach. */
async function storageFor(
  ctx: ConformanceContext,
  maxSize?: number | string,
): Promise<{ storage: Storage; base: string; outside: string }> {
  const base = await ctx.tempDir();
  const outside = `${base}/outside`;
  await ctx.platform.fs.mkdir(outside);
  const storage = await createStorage(ctx.platform, {
    persistent: `${base}/persistent`,
    ephemeral: `${base}/ephemeral`,
    ...(maxSize === undefined ? {} : { maxSize }),
  });
  return { storage, base, outside };
}

const SWAPPER = `import fs from "node:fs";
import process from "node:process";
const [root, stop, out, started, pause, paused] = process.argv.slice(-6);
const quietly = (op) => { try { op(); return true; } catch { return false; } };
const tick = new Int32Array(new SharedArrayBuffer(4));
let swaps = 0;
while (!fs.existsSync(stop)) {
  if (fs.existsSync(pause)) {
    fs.writeFileSync(paused, "");
    while (fs.existsSync(pause) && !fs.existsSync(stop)) Atomics.wait(tick, 0, 0, 1);
    fs.unlinkSync(paused);
  }
  quietly(() => fs.renameSync(root + "/d", root + "/d.held"));
  quietly(() => fs.symlinkSync(out, root + "/d"));
  quietly(() => { fs.symlinkSync(out + "/x", root + "/e/x.link"); fs.renameSync(root + "/e/x.link", root + "/e/x"); });
  quietly(() => fs.unlinkSync(root + "/d"));
  if (!quietly(() => fs.renameSync(root + "/d.held", root + "/d"))) quietly(() => fs.rmSync(root + "/d.held", { recursive: true, force: true }));
  quietly(() => fs.unlinkSync(root + "/e/x"));
  quietly(() => fs.unlinkSync(root + "/e/x.link"));
  swaps++;
  if (swaps === 1) fs.writeFileSync(started, "");
}
process.stdout.write(String(swaps) + "\\n"); // not console.log: Deno colours a logged number when FORCE_COLOR is set
`;

/** Bytes of regular files under `dir`, by the platform (symlinks not followed). */
async function diskBytesOf(ctx: ConformanceContext, dir: string): Promise<number> {
  let sum = 0;
  for (const entry of await ctx.platform.fs.readDir(dir).catch(() => [])) {
    const info = await ctx.platform.fs.lstat(`${dir}/${entry.name}`).catch(() => null);
    if (info?.isDirectory) sum += await diskBytesOf(ctx, `${dir}/${entry.name}`);
    else if (info?.isFile) sum += info.size;
  }
  return sum;
}

function bytesEqualTo(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

async function names(ctx: ConformanceContext, dir: string): Promise<string[]> {
  return (await ctx.platform.fs.readDir(dir)).map((e) => e.name).sort();
}

export const resourcesStorageCases = defineCases([
  {
    name: "storage: a write/read round trip stays inside the persistent root, on real files",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage } = await storageFor(ctx);
      const bytes = patternedBytes(70_000, 11);
      await storage.persistent.writeFile("deep/er/data.bin", bytes);
      await storage.persistent.writeFile("./notes/../hello.txt", "hello ARAL");
      bytesEqual(await storage.persistent.readFile("deep/er/data.bin"), bytes, "bytes read back through the storage");
      bytesEqual(
        await ctx.platform.fs.readFile(`${storage.persistent.root}/deep/er/data.bin`),
        bytes,
        "bytes read straight from the platform file system",
      );
      equal(
        await ctx.platform.fs.readTextFile(`${storage.persistent.root}/hello.txt`),
        "hello ARAL",
        "'./notes/../hello.txt' lands at <root>/hello.txt",
      );
      equal(
        await storage.persistent.resolve("deep/er/data.bin"),
        `${storage.persistent.root}/deep/er/data.bin`,
        "resolve()",
      );
      deepEqual(
        (await storage.persistent.list()).map((e) => e.name),
        ["deep", "hello.txt"],
        "list() of the root (no temp files left behind; notes/.. never created notes)",
      );
      equal(
        storage.usage().persistent,
        bytes.byteLength + "hello ARAL".length,
        "usage().persistent counts the bytes written",
      );
    },
  },
  {
    name: "storage: '..' above the root and absolute paths reject with StorageEscapeError; nothing is created outside",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage, base, outside } = await storageFor(ctx);
      for (const [path, what] of [
        ["../outside/x.txt", "'..' out of the root"],
        ["a/../../outside/x.txt", "'..' that climbs back out"],
        ["..", "'..' alone"],
        [`${outside}/x.txt`, "an absolute path"],
        ["/etc/passwd", "an absolute system path"],
        ["a\0b", "a NUL byte"],
      ] as const) {
        const error = (await rejects(
          () => storage.persistent.writeFile(path, "escaped"),
          { instance: StorageEscapeError },
          `writeFile(${JSON.stringify(path)}): ${what}`,
        )) as StorageEscapeError;
        equal(error.path, path, `StorageEscapeError.path for ${what}`);
        equal(error.root, storage.persistent.root, `StorageEscapeError.root for ${what}`);
        await rejects(
          () => storage.ephemeral.readFile(path),
          { instance: StorageEscapeError },
          `ephemeral.readFile(${JSON.stringify(path)}): ${what}`,
        );
      }
      await rejects(
        () => storage.persistent.remove("."),
        { instance: StorageEscapeError },
        "remove('.') of the root itself",
      );
      deepEqual(await names(ctx, outside), [], "files in the outside directory");
      deepEqual(await names(ctx, base), ["ephemeral", "outside", "persistent"], "entries of the base directory");
      equal(storage.usage().total, 0, "usage after refused writes");
    },
  },
  {
    name: "storage: a symlink (made by the platform) pointing outside the root is refused for write, read and list; one pointing inside works",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage, outside } = await storageFor(ctx);
      const root = storage.persistent.root;
      await ctx.platform.fs.writeFile(`${outside}/secret.txt`, "not yours");
      await ctx.platform.fs.symlink(outside, `${root}/link`);
      await ctx.platform.fs.symlink(`${outside}/secret.txt`, `${root}/secret-link.txt`);
      await ctx.platform.fs.symlink(`${outside}/not-there-yet.txt`, `${root}/dangling.txt`);
      await rejects(
        () => storage.persistent.writeFile("link/evil.txt", "x"),
        { instance: StorageEscapeError },
        "write through a directory symlink to outside",
      );
      await rejects(
        () => storage.persistent.writeFile("link/sub/evil.txt", "x"),
        { instance: StorageEscapeError },
        "write below a directory symlink to outside",
      );
      await rejects(
        () => storage.persistent.readFile("link/secret.txt"),
        { instance: StorageEscapeError },
        "read through a directory symlink",
      );
      await rejects(
        () => storage.persistent.readTextFile("secret-link.txt"),
        { instance: StorageEscapeError },
        "read of a file symlink to outside",
      );
      await rejects(
        () => storage.persistent.writeFile("secret-link.txt", "overwritten"),
        { instance: StorageEscapeError },
        "write onto a file symlink to outside",
      );
      await rejects(
        () => storage.persistent.writeFile("dangling.txt", "created?"),
        { instance: StorageEscapeError },
        "write through a dangling symlink to outside",
      );
      await rejects(
        () => storage.persistent.list("link"),
        { instance: StorageEscapeError },
        "list() of a symlinked directory outside",
      );
      equal(await ctx.platform.fs.readTextFile(`${outside}/secret.txt`), "not yours", "the outside file is untouched");
      deepEqual(await names(ctx, outside), ["secret.txt"], "files in the outside directory (nothing created)");

      await storage.persistent.writeFile("real/inside.txt", "inside");
      await ctx.platform.fs.symlink(`${root}/real`, `${root}/alias`);
      equal(
        await storage.persistent.readTextFile("alias/inside.txt"),
        "inside",
        "read through a symlink that stays inside",
      );
      await storage.persistent.writeFile("alias/second.txt", "second");
      equal(
        await ctx.platform.fs.readTextFile(`${root}/real/second.txt`),
        "second",
        "write through a symlink that stays inside",
      );
    },
  },
  {
    name: "storage: a write that would pass maxSize throws StorageQuotaError before writing — no file, old content intact, usage unchanged",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage } = await storageFor(ctx, 1000);
      equal(storage.maxSize, 1000, "maxSize in bytes");
      const first = patternedBytes(600, 1);
      await storage.persistent.writeFile("a.bin", first);
      equal(storage.usage().total, 600, "usage after 600 bytes");

      const error = (await rejects(
        () => storage.ephemeral.writeFile("b.bin", patternedBytes(500, 2)),
        { instance: StorageQuotaError },
        "a 500-byte write over 600 used of 1000",
      )) as StorageQuotaError;
      equal(error.requested, 500, "StorageQuotaError.requested");
      equal(error.used, 600, "StorageQuotaError.used");
      equal(error.maxSize, 1000, "StorageQuotaError.maxSize");
      equal(await ctx.platform.fs.exists(`${storage.ephemeral.root}/b.bin`), false, "the refused file exists");
      deepEqual(
        await names(ctx, storage.ephemeral.root),
        [],
        "ephemeral root after the refused write (no temp file either)",
      );
      deepEqual(
        storage.usage(),
        { persistent: 600, ephemeral: 0, total: 600, maxSize: 1000 },
        "usage after the refused write",
      );

      await rejects(
        () => storage.persistent.writeFile("a.bin", patternedBytes(1001, 3)),
        { instance: StorageQuotaError },
        "overwriting a.bin with 1001 bytes",
      );
      bytesEqual(
        await ctx.platform.fs.readFile(`${storage.persistent.root}/a.bin`),
        first,
        "a.bin after the refused overwrite",
      );
      equal(storage.usage().total, 600, "usage after the refused overwrite");
    },
  },
  {
    name: "storage: overwriting counts only the difference, appends count their bytes, both areas share one quota",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage } = await storageFor(ctx, "1000");
      await storage.persistent.writeFile("a.bin", patternedBytes(600));
      await storage.persistent.writeFile("a.bin", patternedBytes(900));
      equal(storage.usage().total, 900, "usage after overwriting 600 bytes with 900 (difference +300)");
      await storage.persistent.writeFile("a.bin", patternedBytes(100));
      equal(storage.usage().total, 100, "usage after shrinking a.bin to 100");
      await storage.ephemeral.writeFile("tmp.bin", patternedBytes(800));
      deepEqual(
        storage.usage(),
        { persistent: 100, ephemeral: 800, total: 900, maxSize: 1000 },
        "usage across both areas",
      );
      await storage.persistent.writeFile("a.bin", "x".repeat(100), { append: true });
      equal((await ctx.platform.fs.stat(`${storage.persistent.root}/a.bin`)).size, 200, "a.bin size after an append");
      equal(storage.usage().total, 1000, "usage at exactly maxSize");
      await rejects(
        () => storage.persistent.writeFile("a.bin", "y", { append: true }),
        { instance: StorageQuotaError },
        "a one-byte append at the quota",
      );
      equal(
        (await ctx.platform.fs.stat(`${storage.persistent.root}/a.bin`)).size,
        200,
        "a.bin size after the refused append",
      );
      await storage.ephemeral.remove("tmp.bin");
      equal(storage.usage().total, 200, "usage after remove()");
      await storage.persistent.writeFile("b.bin", patternedBytes(800));
      equal(storage.usage().total, 1000, "the freed bytes can be written again");
      deepEqual(
        await storage.refreshUsage(),
        { persistent: 1000, ephemeral: 0, total: 1000, maxSize: 1000 },
        "refreshUsage() recounted from disk",
      );
    },
  },
  {
    name: "storage: concurrent writes never overshoot maxSize together",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage } = await storageFor(ctx, 1000);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => storage.persistent.writeFile(`f${i}.bin`, patternedBytes(300, i + 1))),
      );
      const written = outcomes.filter((o) => o.status === "fulfilled").length;
      equal(written, 3, "writes of 300 bytes that fit in 1000");
      for (const o of outcomes)
        if (o.status === "rejected")
          ok(
            o.reason instanceof StorageQuotaError,
            `a refused write rejects with StorageQuotaError (got ${String(o.reason)})`,
          );
      equal((await storage.refreshUsage()).total, 900, "bytes on disk");
    },
  },
  {
    name: "storage: cleanupEphemeral() removes the instance's ephemeral files and directory; persistent files stay",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage, base } = await storageFor(ctx);
      await storage.ephemeral.writeFile("scratch/a.tmp", "a");
      await storage.ephemeral.writeFile("b.tmp", "bb");
      await storage.persistent.writeFile("keep.txt", "keep");
      const ephemeralRoot = storage.ephemeral.root;
      ok(
        ephemeralRoot.startsWith(`${await ctx.platform.fs.realPath(base)}/ephemeral/`),
        `the instance's ephemeral directory is inside the configured ephemeral root (got ${ephemeralRoot})`,
      );
      equal(storage.usage().ephemeral, 3, "ephemeral usage before cleanup");
      await storage.cleanupEphemeral();
      equal(await ctx.platform.fs.exists(ephemeralRoot), false, "the ephemeral directory exists after cleanup");
      equal(
        await ctx.platform.fs.exists(`${base}/ephemeral`),
        true,
        "the configured (shared) ephemeral parent survives",
      );
      equal(await ctx.platform.fs.readTextFile(`${storage.persistent.root}/keep.txt`), "keep", "the persistent file");
      deepEqual(storage.usage(), { persistent: 4, ephemeral: 0, total: 4, maxSize: null }, "usage after cleanup");
      await storage.cleanupEphemeral();
    },
  },
  {
    name: "storage: cleanupOlderThan(ms) removes only ephemeral files older than ms (real mtimes), in subdirectories too",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage } = await storageFor(ctx);
      await storage.ephemeral.writeFile("old.tmp", "old!");
      await storage.ephemeral.writeFile("nested/old.tmp", "old too");
      const oldWritten = Date.now();
      await sleep(800);
      const newStarted = Date.now();
      await storage.ephemeral.writeFile("new.tmp", "new");
      await storage.ephemeral.writeFile("nested/new.tmp", "new too");
      await storage.persistent.writeFile("old-but-persistent.txt", "stays");
      // The cutoff falls halfway between the two batches, however long the writes took.
      const ageMs = Date.now() - newStarted + (newStarted - oldWritten) / 2;
      const removed = await storage.cleanupOlderThan(ageMs);
      deepEqual(removed, ["nested/old.tmp", "old.tmp"], `files removed by cleanupOlderThan(${Math.round(ageMs)})`);
      deepEqual(
        await names(ctx, storage.ephemeral.root),
        ["nested", "new.tmp"],
        "ephemeral root after the age cleanup",
      );
      deepEqual(
        await names(ctx, `${storage.ephemeral.root}/nested`),
        ["new.tmp"],
        "nested directory after the age cleanup",
      );
      equal(storage.usage().ephemeral, "new".length + "new too".length, "ephemeral usage after the age cleanup");
      equal(await ctx.platform.fs.exists(`${storage.persistent.root}/old-but-persistent.txt`), true, "persistent file");
    },
  },
  {
    name: "storage: the root itself is no file name ('', '.', 'a/..'): StorageEscapeError, no byte written anywhere",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage, base, outside } = await storageFor(ctx);
      for (const name of ["", ".", "a/..", "./"]) {
        await rejects(
          () => storage.persistent.writeFile(name, "payload"),
          { instance: StorageEscapeError, message: /root/ },
          `writeFile(${JSON.stringify(name)})`,
        );
        await rejects(
          () => storage.persistent.readFile(name),
          { instance: StorageEscapeError },
          `readFile(${JSON.stringify(name)})`,
        );
        await rejects(
          () => storage.persistent.remove(name, { recursive: true }),
          { instance: StorageEscapeError },
          `remove(${JSON.stringify(name)})`,
        );
      }
      deepEqual(
        await names(ctx, base),
        ["ephemeral", "outside", "persistent"],
        "entries of the roots' parent (no temp file left there)",
      );
      deepEqual(await names(ctx, storage.persistent.root), [], "entries of the persistent root");
      deepEqual(await names(ctx, outside), [], "entries of the outside directory");
    },
  },
  {
    name: "storage: one file written through two spellings (a directory and an in-root symlink to it) is counted once",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage } = await storageFor(ctx, 10_000);
      await storage.persistent.writeFile("dir/f.bin", patternedBytes(6000));
      await ctx.platform.fs.symlink(`${storage.persistent.root}/dir`, `${storage.persistent.root}/alias`);
      // Both shrink the same file at once: only one of the two shrinks may be credited.
      await Promise.all([
        storage.persistent.writeFile("dir/f.bin", patternedBytes(100)),
        storage.persistent.writeFile("alias/f.bin", patternedBytes(100)),
      ]);
      const onDisk = (await ctx.platform.fs.stat(`${storage.persistent.root}/dir/f.bin`)).size;
      equal(storage.usage().persistent, onDisk, "usage after two concurrent shrinks through two spellings");
      await storage.persistent.writeFile("big.bin", patternedBytes(10_000 - onDisk));
      await rejects(
        () => storage.persistent.writeFile("one-more.bin", "x"),
        { instance: StorageQuotaError },
        "a byte past the quota",
      );
      equal((await storage.refreshUsage()).persistent, 10_000, "bytes on disk (refreshUsage)");
    },
  },
  {
    name: "storage: 3,000 writes, reads and deletes racing symlink swaps of their directories and files: nothing happens outside the roots, the quota holds on disk",
    capability: CAPABILITY,
    timeoutMs: 120_000,
    async run(ctx) {
      const maxSize = 48 * 1024;
      const { storage, outside } = await storageFor(ctx, maxSize);
      const root = storage.persistent.root;
      const bait = new TextEncoder().encode("OUTSIDE");
      const baitNames = ["x", ...Array.from({ length: 20 }, (_, i) => `f${i}`)];
      for (const name of baitNames) await ctx.platform.fs.writeFile(`${outside}/${name}`, bait);
      await storage.persistent.writeFile("d/f0", "seed");
      await storage.persistent.writeFile("e/x", "seed");
      const scratch = await ctx.tempDir();
      const stop = `${scratch}/stop`;
      // Another process of this runtime swaps, in a tight loop: the directory d for a symlink to outside and
      // back, and the file e/x for a symlink to outside/x. It pauses between two swaps while the bytes on disk
      // are counted: counted mid-swap, one directory could be seen twice (as d.held, then again as d).
      await ctx.platform.fs.writeFile(`${scratch}/swapper.mjs`, SWAPPER);
      const args =
        ctx.platform.runtime.name === "deno" ? ["run", "-A", `${scratch}/swapper.mjs`] : [`${scratch}/swapper.mjs`];
      const [started, pause, paused] = [`${scratch}/started`, `${scratch}/pause`, `${scratch}/paused`];
      const swapper = ctx.platform.process.spawn(
        ctx.platform.process.execPath,
        [...args, root, stop, outside, started, pause, paused],
        {
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const swaps = new Response(swapper.stdout).text();
      const swapperErrors = new Response(swapper.stderr).text();
      let swapperExited = false;
      void swapper.status.then(() => (swapperExited = true));
      const waitFor = async (what: string, done: () => Promise<boolean>): Promise<void> => {
        const deadline = Date.now() + 60_000;
        while (!(await done())) {
          if (swapperExited || Date.now() > deadline) {
            await ctx.platform.fs.writeFile(stop, "");
            throw new Error(`the swapper did not ${what} (stderr: ${(await swapperErrors).slice(0, 500)})`);
          }
          await sleep(5);
        }
      };
      // The race starts once the swapper is swapping (a cold runtime start can take longer than the whole race).
      await waitFor("start swapping", () => ctx.platform.fs.exists(started));
      let escapedReads = 0;
      let maxOnDisk = 0;
      const diskBytes = async (dir: string): Promise<number> => {
        let sum = 0;
        for (const entry of await ctx.platform.fs.readDir(dir).catch(() => [])) {
          const info = await ctx.platform.fs.lstat(`${dir}/${entry.name}`).catch(() => null);
          if (info?.isDirectory) sum += await diskBytes(`${dir}/${entry.name}`);
          else if (info?.isFile) sum += info.size;
        }
        return sum;
      };
      try {
        const ops = 3000;
        const batch = 24;
        for (let start = 0; start < ops; start += batch) {
          await Promise.allSettled(
            Array.from({ length: batch }, async (_, k) => {
              const i = start + k;
              const file = i % 2 ? `d/f${i % 20}` : "e/x";
              const kind = i % 3;
              if (kind === 0)
                await storage.persistent.writeFile(file, patternedBytes(200 + (i % 7) * 300, i), {
                  append: i % 5 === 0,
                });
              else if (kind === 1) {
                const read = await storage.persistent.readFile(file);
                if (bytesEqualTo(read, bait)) escapedReads++;
              } else await storage.persistent.remove(file);
            }),
          );
          if (start % (batch * 10) === 0) {
            await ctx.platform.fs.writeFile(pause, "");
            await waitFor("pause", () => ctx.platform.fs.exists(paused));
            maxOnDisk = Math.max(maxOnDisk, await diskBytes(root));
            await ctx.platform.fs.remove(pause);
            await waitFor("resume", async () => !(await ctx.platform.fs.exists(paused)));
          }
        }
      } finally {
        await ctx.platform.fs.writeFile(stop, "");
        await swapper.status;
      }
      const swapCount = Number((await swaps).trim());
      ok(
        swapCount >= 100,
        `the swapper ran (stdout ${JSON.stringify((await swaps).slice(0, 200))}; stderr: ${(await swapperErrors).slice(0, 500)})`,
      );
      maxOnDisk = Math.max(maxOnDisk, await diskBytes(root));
      equal(escapedReads, 0, "reads that returned a file from outside the root");
      deepEqual(
        await names(ctx, outside),
        [...baitNames].sort(),
        "files in the outside directory (none created, none deleted)",
      );
      for (const name of baitNames)
        bytesEqual(await ctx.platform.fs.readFile(`${outside}/${name}`), bait, `outside/${name} untouched`);
      ok(
        maxOnDisk <= maxSize,
        `bytes on disk under the root stayed within maxSize ${maxSize} (peak seen ${maxOnDisk})`,
      );
      ok((await storage.refreshUsage()).total <= maxSize, "bytes on disk after the race within maxSize");
    },
  },
  {
    name: "storage: remove() of a symlink removes the link, never its target (rm semantics), recursive or not, to inside or outside",
    capability: CAPABILITY,
    async run(ctx) {
      const { storage, outside } = await storageFor(ctx);
      const root = storage.persistent.root;
      await storage.persistent.writeFile("data/important.txt", "keep me");
      await ctx.platform.fs.writeFile(`${outside}/secret.txt`, "not yours");
      await ctx.platform.fs.symlink(`${root}/data/important.txt`, `${root}/alias`);
      await ctx.platform.fs.symlink(`${root}/data`, `${root}/dirlink`);
      await ctx.platform.fs.symlink(`${root}/data`, `${root}/dirlink2`);
      await ctx.platform.fs.symlink(outside, `${root}/outlink`);
      await storage.persistent.remove("alias");
      await storage.persistent.remove("dirlink", { recursive: true });
      await storage.persistent.remove("dirlink2");
      await storage.persistent.remove("outlink", { recursive: true });
      deepEqual(await names(ctx, root), ["data"], "entries of the root after removing the four links");
      equal(
        await ctx.platform.fs.readTextFile(`${root}/data/important.txt`),
        "keep me",
        "the file the links pointed at (directly and through a directory link)",
      );
      deepEqual(await names(ctx, outside), ["secret.txt"], "files in the outside directory");
      equal(storage.usage().persistent, "keep me".length, "usage (links hold no counted bytes)");
    },
  },
  {
    name: "storage: usage equals the bytes on disk after a recursive remove races a remove and a shrinking write inside it, a cleanup races a rewrite, a recount races a write; the quota then holds on disk",
    capability: CAPABILITY,
    async run(ctx) {
      const maxSize = 10_000;
      const base = await ctx.tempDir();
      const g = gatedFs(ctx.platform.fs);
      // Every ephemeral file is old to this clock, so the cleanup below would take the file being rewritten.
      const storage = await createStorage(
        { fs: g.fs, process: ctx.platform.process },
        {
          persistent: `${base}/persistent`,
          ephemeral: `${base}/ephemeral`,
          maxSize,
          wallClock: () => Date.now() + 3_600_000,
        },
      );
      const exact = async (what: string): Promise<void> => {
        const disk = {
          persistent: await diskBytesOf(ctx, storage.persistent.root),
          ephemeral: await diskBytesOf(ctx, storage.ephemeral.root),
        };
        const { persistent, ephemeral } = storage.usage();
        deepEqual({ persistent, ephemeral }, disk, `usage() against the bytes on disk after ${what}`);
        const { persistent: p, ephemeral: e } = await storage.refreshUsage();
        deepEqual({ persistent: p, ephemeral: e }, disk, `refreshUsage() after ${what}`);
      };
      const race = async (
        what: string,
        first: () => Promise<unknown>,
        match: (c: GatedCall) => boolean,
        second: () => Promise<unknown>,
        after = false,
      ): Promise<PromiseSettledResult<unknown>[]> => {
        const gate = g.hold(match, after ? "after" : "before");
        const one = first();
        await gate.reached;
        const two = second();
        await g.settledOrStuck(two);
        gate.open();
        const outcomes = await Promise.allSettled([one, two]);
        await exact(what);
        return outcomes;
      };
      const recursive = (c: GatedCall) =>
        c.op === "remove" && (c.args[1] as { recursive?: boolean } | undefined)?.recursive === true;
      const temp = (c: GatedCall) => c.path.includes("/.aral-tmp-");

      await storage.persistent.writeFile("keep", patternedBytes(500));
      await storage.persistent.writeFile("d/x", patternedBytes(300));
      await race(
        "remove('d', {recursive}) racing remove('d/x')",
        () => storage.persistent.remove("d", { recursive: true }),
        recursive,
        () => storage.persistent.remove("d/x"),
      );
      await storage.persistent.writeFile("d/x", patternedBytes(300));
      await race(
        "remove('d', {recursive}) racing a shrinking write of d/x",
        () => storage.persistent.remove("d", { recursive: true }),
        recursive,
        () => storage.persistent.writeFile("d/x", "s"),
      );
      await storage.ephemeral.writeFile("state", patternedBytes(400));
      const [rewrite, cleanup] = await race(
        "cleanupOlderThan() racing a rewrite of the file it expires",
        () => storage.ephemeral.writeFile("state", patternedBytes(200)),
        (c) => c.op === "rename" && temp(c),
        () => storage.cleanupOlderThan(60_000),
      );
      equal(rewrite!.status, "fulfilled", `the rewrite (${String((rewrite as PromiseRejectedResult).reason)})`);
      equal(cleanup!.status, "fulfilled", `the cleanup (${String((cleanup as PromiseRejectedResult).reason)})`);
      await storage.persistent.writeFile("x", patternedBytes(3000));
      await race(
        "refreshUsage() racing a shrinking write",
        () => storage.persistent.writeFile("x", "s"),
        (c) => c.op === "rename" && temp(c),
        () => storage.refreshUsage(),
        true,
      );
      await storage.persistent.writeFile("fill", patternedBytes(maxSize - storage.usage().total));
      await rejects(
        () => storage.persistent.writeFile("one-more", "x"),
        { instance: StorageQuotaError },
        "a byte past maxSize after the races",
      );
      equal(
        (await diskBytesOf(ctx, storage.persistent.root)) + (await diskBytesOf(ctx, storage.ephemeral.root)),
        maxSize,
        "bytes on disk when the count says the quota is full",
      );
      await storage.cleanupEphemeral();
    },
  },
  {
    name: "storage: removeStaleTempFiles() removes temp files of writes an hour old (a crashed process's) from both areas and recounts; it keeps younger ones, a write's in flight and every other file, and no write may use such a name",
    capability: CAPABILITY,
    async run(ctx) {
      const base = await ctx.tempDir();
      const g = gatedFs(ctx.platform.fs);
      // Two storages over the same roots, as two processes would share them: one on the real clock, one an hour on.
      const open = (wallClock?: () => number) =>
        createStorage(
          { fs: g.fs, process: ctx.platform.process },
          {
            persistent: `${base}/persistent`,
            ephemeral: `${base}/ephemeral`,
            ephemeralDirName: "instance",
            ...(wallClock ? { wallClock } : {}),
          },
        );
      const now = await open();
      const later = await open(() => Date.now() + STALE_TEMP_FILE_AGE_MS + 60_000);
      const p = now.persistent.root;
      const e = now.ephemeral.root;
      await now.persistent.writeFile("keep", patternedBytes(100));
      await now.persistent.writeFile("d/keep", patternedBytes(100));
      await now.ephemeral.writeFile("keep", patternedBytes(50));
      // What a write killed between writing its temp file and renaming it leaves behind.
      for (const path of [`${p}/.aral-tmp-crashed1`, `${p}/d/.aral-tmp-crashed2`, `${e}/.aral-tmp-crashed3`])
        await ctx.platform.fs.writeFile(path, patternedBytes(1000));
      deepEqual(
        await now.refreshUsage(),
        { persistent: 2200, ephemeral: 1050, total: 3250, maxSize: null },
        "refreshUsage() counts the leftovers",
      );

      deepEqual(await now.removeStaleTempFiles(), [], "removed while they are younger than an hour");
      deepEqual(await names(ctx, p), [".aral-tmp-crashed1", "d", "keep"], "the persistent root after that");
      deepEqual(
        await later.removeStaleTempFiles(),
        ["ephemeral:.aral-tmp-crashed3", "persistent:.aral-tmp-crashed1", "persistent:d/.aral-tmp-crashed2"],
        "removed an hour on",
      );
      deepEqual(await names(ctx, p), ["d", "keep"], "the persistent root");
      deepEqual(await names(ctx, `${p}/d`), ["keep"], "persistent d/");
      deepEqual(await names(ctx, e), ["keep"], "the ephemeral area");
      const { persistent, ephemeral } = later.usage();
      deepEqual({ persistent, ephemeral }, { persistent: 200, ephemeral: 50 }, "usage() recounted");

      // A write of this storage holds its temp file: the sweep waits for it, however old the clock says it is.
      const gate = g.hold((c) => c.op === "rename" && c.path.includes("/.aral-tmp-"));
      const write = later.persistent.writeFile("keep", "rewritten");
      await gate.reached;
      const sweep = later.removeStaleTempFiles();
      await g.settledOrStuck(sweep);
      equal(
        (await names(ctx, p)).filter((n) => n.startsWith(".aral-tmp-")).length,
        1,
        "temp files while the write is held",
      );
      gate.open();
      await within(write, 5_000, "the held write");
      deepEqual(await within(sweep, 5_000, "the sweep"), [], "removed by the sweep that waited for the write");
      equal(await later.persistent.readTextFile("keep"), "rewritten", "the file the held write wrote");

      await rejects(
        () => later.persistent.writeFile("x/.aral-tmp-mine", "x"),
        { instance: InvalidArgumentError, message: /\.aral-tmp-/ },
        "a write to a temp file's name",
      );
      deepEqual(await names(ctx, p), ["d", "keep"], "the persistent root after the refused write");
      await later.cleanupEphemeral();
    },
  },
  {
    name: "storage: bad options and inputs fail with typed errors naming them",
    capability: CAPABILITY,
    async run(ctx) {
      const base = await ctx.tempDir();
      await rejects(
        () => createStorage(ctx.platform, { persistent: "", ephemeral: `${base}/e` }),
        { instance: TypeError, message: /persistent/ },
        "an empty persistent root",
      );
      await rejects(
        () => createStorage(ctx.platform, { persistent: `${base}/p`, ephemeral: "  " }),
        { instance: TypeError, message: /ephemeral/ },
        "a blank ephemeral root",
      );
      await rejects(
        () => createStorage(ctx.platform, { persistent: `${base}/p`, ephemeral: `${base}/e`, maxSize: "10GB" }),
        { instance: QuantityError, message: /10GB/ },
        "maxSize '10GB'",
      );
      await rejects(
        () => createStorage(ctx.platform, { persistent: `${base}/p`, ephemeral: `${base}/e`, ephemeralDirName: "a/b" }),
        { instance: TypeError, message: /ephemeralDirName/ },
        "an ephemeralDirName with a slash",
      );
      await rejects(
        () => createStorage(ctx.platform, null as never),
        { instance: InvalidArgumentError, message: /^createStorage options must be an object, got null/ },
        "null options",
      );
      await rejects(
        () => createStorage(ctx.platform, { persistent: "", ephemeral: `${base}/e` }),
        { instance: InvalidArgumentError, message: /^createStorage persistent must be a non-empty directory path/ },
        "an empty persistent root (InvalidArgumentError)",
      );
      await rejects(
        () =>
          createStorage(ctx.platform, {
            persistent: `${base}/p`,
            ephemeral: `${base}/e`,
            diskWarnRatio: "x" as unknown as number,
          }),
        {
          instance: InvalidArgumentError,
          message: /^createStorage diskWarnRatio must be a number from 0 to 1, got "x"/,
        },
        "diskWarnRatio 'x'",
      );
      const storage = await createStorage(ctx.platform, { persistent: `${base}/p`, ephemeral: `${base}/e` });
      for (const [path, what] of [
        ["n".repeat(256), "a 256-byte file name"],
        [`${"d".repeat(256)}/x`, "a 256-byte directory name"],
        ["\u00e9".repeat(128), "a 128-character name of 256 UTF-8 bytes"],
      ] as const)
        await rejects(
          () => storage.persistent.writeFile(path, "x"),
          {
            instance: InvalidArgumentError,
            message:
              /^storage path must be made of names of at most 255 bytes each \(UTF-8\), but one is 256 bytes long/,
          },
          what,
        );
      deepEqual(await names(ctx, storage.persistent.root), [], "the persistent root after the refused long names");
      await rejects(
        () => storage.cleanupOlderThan(-1),
        { instance: RangeError, message: /-1/ },
        "cleanupOlderThan(-1)",
      );
      await rejects(() => storage.cleanupOlderThan(Number.NaN), { instance: RangeError }, "cleanupOlderThan(NaN)");
      await rejects(
        () => storage.persistent.writeFile(42 as unknown as string, "x"),
        { instance: TypeError, message: /storage path must be a string, got 42/ },
        "a number as path (a wrong type, not an escape attempt)",
      );
      await rejects(
        () => storage.cleanupOlderThan("5" as unknown as number),
        { instance: TypeError, message: /cleanupOlderThan age must be a number of ms, got "5"/ },
        'cleanupOlderThan("5")',
      );
      const missing = await rejects(
        () => storage.persistent.readFile("notes/missing.txt"),
        { code: "NotFound", message: /^NotFound: storage\.persistent\.readFile 'notes\/missing\.txt' failed \(root / },
        "readFile of a missing file (PlatformError NotFound naming the area and the path as given)",
      );
      equal((missing as PlatformError).path, `${storage.persistent.root}/notes/missing.txt`, "the error's path");
      ok((missing as Error).cause !== undefined, "the descriptor-level error is kept as the cause");
      await storage.persistent.writeFile("dir/file.txt", "x");
      await rejects(
        () => storage.persistent.writeFile("dir", "x"),
        { code: "IsADirectory", message: /^IsADirectory: storage\.persistent\.writeFile 'dir' failed/ },
        "writeFile onto a directory",
      );
    },
  },
]);
