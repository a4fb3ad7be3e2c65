import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promises as fsp } from "node:fs";
import { createStorage } from "../../src/resources/storage.ts";
import type { Storage } from "../../src/resources/storage.ts";
import { StorageEscapeError, StorageQuotaError } from "../../src/resources/errors.ts";
import { InvalidArgumentError } from "../../src/invalid-argument.ts";
import { testPlatform } from "./test-platform.ts";

let base: string;
let storage: Storage;

beforeEach(async () => {
  base = await fsp.realpath(await testPlatform.fs.makeTempDir({ prefix: "aral-storage-" }));
  storage = await createStorage(testPlatform, {
    persistent: `${base}/data`,
    ephemeral: `${base}/tmp`,
    maxSize: "1Ki",
    ephemeralDirName: "instance",
  });
});

afterEach(async () => {
  await fsp.rm(base, { recursive: true, force: true });
});

describe("createStorage", () => {
  it("starts when a subdirectory vanishes while its usage is counted (it counts as empty)", async () => {
    await fsp.mkdir(`${base}/data/going/deeper`, { recursive: true });
    await fsp.writeFile(`${base}/data/going/deeper/f`, "12345");
    await fsp.writeFile(`${base}/data/stays.txt`, "abc");
    const vanishing = {
      ...testPlatform,
      fs: {
        ...testPlatform.fs,
        readDir: async (p: string) => {
          // Another process removes the subdirectory between listing its parent and reading it.
          if (p.endsWith("/going")) await fsp.rm(`${base}/data/going`, { recursive: true });
          return testPlatform.fs.readDir(p);
        },
      },
    };
    const again = await createStorage(vanishing, { persistent: `${base}/data`, ephemeral: `${base}/tmp` });
    expect(again.usage().persistent).toBe(3);
    await again.cleanupEphemeral();
  });

  it("writeFile with data that is neither bytes nor a string is an InvalidArgumentError naming the argument; nothing is written", async () => {
    await expect(storage.persistent.writeFile("a.bin", 42 as never)).rejects.toThrow(
      /storage\.persistent\.writeFile data must be a string or a Uint8Array, got 42/,
    );
    await expect(storage.persistent.writeFile("a.bin", { length: 3 } as never)).rejects.toThrow(InvalidArgumentError);
    expect(await fsp.readdir(`${base}/data`)).toEqual([]);
  });

  it("creates the roots and keeps ephemeral files in the instance's own directory", async () => {
    expect(storage.persistent.root).toBe(`${base}/data`);
    expect(storage.ephemeral.root).toBe(`${base}/tmp/instance`);
    await storage.persistent.writeFile("notes/a.txt", "hello");
    expect(await fsp.readFile(`${base}/data/notes/a.txt`, "utf8")).toBe("hello");
    expect(await storage.persistent.readTextFile("notes/a.txt")).toBe("hello");
    expect((await storage.persistent.list("notes")).map((e) => e.name)).toEqual(["a.txt"]);
    expect(await storage.persistent.resolve("notes/../notes/./a.txt")).toBe(`${base}/data/notes/a.txt`);
  });

  it.each([
    ["/etc/passwd", /absolute/],
    ["C:\\Windows", /absolute/],
    ["../outside.txt", /above the root/],
    ["a/../../outside.txt", /above the root/],
    ["bad\0name", /NUL/],
  ])("rejects %j with StorageEscapeError", async (path, reason) => {
    const error = await storage.persistent.writeFile(path, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageEscapeError);
    expect((error as Error).message).toMatch(reason);
    expect(error).toMatchObject({ path, root: `${base}/data` });
  });

  it("rejects symlinks that point outside the root, for the link itself and for paths through it", async () => {
    await fsp.mkdir(`${base}/secret`);
    await fsp.writeFile(`${base}/secret/key`, "s3cret");
    await fsp.symlink(`${base}/secret`, `${base}/data/linkdir`);
    await fsp.symlink(`${base}/secret/key`, `${base}/data/linkfile`);
    await fsp.symlink(`${base}/nowhere`, `${base}/data/dangling`);
    await expect(storage.persistent.readFile("linkfile")).rejects.toBeInstanceOf(StorageEscapeError);
    await expect(storage.persistent.readFile("linkdir/key")).rejects.toThrow(/outside the root/);
    await expect(storage.persistent.writeFile("linkdir/new.txt", "x")).rejects.toBeInstanceOf(StorageEscapeError);
    await expect(storage.persistent.writeFile("dangling", "x")).rejects.toBeInstanceOf(StorageEscapeError);
    expect(await fsp.readdir(`${base}/secret`)).toEqual(["key"]);
    // A symlink that stays inside is fine.
    await storage.persistent.writeFile("real.txt", "in");
    await fsp.symlink(`${base}/data/real.txt`, `${base}/data/inner-link`);
    expect(await storage.persistent.readTextFile("inner-link")).toBe("in");
  });

  it("counts bytes against maxSize across both areas and refuses a write that would pass it, before writing", async () => {
    await storage.persistent.writeFile("a.bin", new Uint8Array(600));
    await storage.ephemeral.writeFile("b.bin", new Uint8Array(300));
    expect(storage.usage()).toEqual({ persistent: 600, ephemeral: 300, total: 900, maxSize: 1024 });
    const error = await storage.ephemeral.writeFile("c.bin", new Uint8Array(200)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageQuotaError);
    expect(error).toMatchObject({ requested: 200, used: 900, maxSize: 1024 });
    expect(await fsp.readdir(`${base}/tmp/instance`)).toEqual(["b.bin"]);
    // Overwriting counts only the growth; shrinking frees space.
    await storage.persistent.writeFile("a.bin", new Uint8Array(100));
    expect(storage.usage().total).toBe(400);
    await storage.persistent.writeFile("a.bin", new Uint8Array(50), { append: true });
    expect((await storage.persistent.readFile("a.bin")).byteLength).toBe(150);
    await storage.persistent.remove("a.bin");
    expect(storage.usage()).toMatchObject({ persistent: 0, total: 300 });
  });

  it("concurrent writes cannot overshoot the quota together", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => storage.persistent.writeFile(`f${i}`, new Uint8Array(300))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(
      results
        .filter((r) => r.status === "rejected")
        .every((r) => (r as PromiseRejectedResult).reason instanceof StorageQuotaError),
    ).toBe(true);
    expect(storage.usage().total).toBe(900);
    expect(await storage.refreshUsage()).toMatchObject({ total: 900 });
  });

  it("leaves the old content intact when a write fails, and no temp files behind", async () => {
    await storage.persistent.writeFile("keep.txt", "original");
    await fsp.mkdir(`${base}/data/dir-in-the-way`);
    await fsp.writeFile(`${base}/data/dir-in-the-way/x`, "");
    await expect(storage.persistent.writeFile("dir-in-the-way", "data")).rejects.toThrow();
    expect((await fsp.readdir(`${base}/data`)).sort()).toEqual(["dir-in-the-way", "keep.txt"]);
    expect(await storage.persistent.readTextFile("keep.txt")).toBe("original");
  });

  it("counts existing files at creation", async () => {
    const again = await createStorage(testPlatform, {
      persistent: `${base}/data`,
      ephemeral: `${base}/tmp`,
      maxSize: 1000,
    });
    await storage.persistent.writeFile("x", new Uint8Array(10));
    expect((await again.refreshUsage()).persistent).toBe(10);
    await again.cleanupEphemeral();
  });

  it("cleans ephemeral files by age and wholly on stop, never touching the shared parent", async () => {
    await fsp.writeFile(`${base}/tmp/someone-elses-file`, "keep me");
    await storage.ephemeral.writeFile("old/a.txt", "old");
    await storage.ephemeral.writeFile("new.txt", "new");
    const past = new Date(Date.now() - 3_600_000);
    await fsp.utimes(`${base}/tmp/instance/old/a.txt`, past, past);
    expect(await storage.cleanupOlderThan(60_000)).toEqual(["old/a.txt"]);
    expect(await storage.ephemeral.readTextFile("new.txt")).toBe("new");
    expect(storage.usage().ephemeral).toBe(3);
    await storage.cleanupEphemeral();
    expect(await fsp.readdir(`${base}/tmp`)).toEqual(["someone-elses-file"]);
    expect(storage.usage().ephemeral).toBe(0);
    expect(await fsp.readdir(`${base}/data`)).toEqual([]);
  });

  it("reports disk space of each root with a warning threshold", async () => {
    const reports = await storage.checkDisk();
    expect(reports.map((r) => r.root)).toEqual([`${base}/data`, `${base}/tmp`]);
    for (const r of reports) {
      expect(r.total).toBeGreaterThan(0);
      expect(r.usedRatio).toBeGreaterThanOrEqual(0);
      expect(r.usedRatio).toBeLessThanOrEqual(1);
      expect(r.warning).toBe(r.usedRatio >= 0.9);
    }
    const paranoid = await createStorage(testPlatform, {
      persistent: `${base}/data`,
      ephemeral: `${base}/tmp`,
      diskWarnRatio: 0.0000001,
    });
    expect((await paranoid.checkDisk()).every((r) => r.warning)).toBe(true);
    await paranoid.cleanupEphemeral();
  });

  it("remove() of a symlink removes the link itself, never its target (rm semantics), recursive or not", async () => {
    await storage.persistent.writeFile("data/important.txt", "keep me");
    await fsp.mkdir(`${base}/outside`);
    await fsp.writeFile(`${base}/outside/secret`, "not yours");
    await fsp.symlink("data/important.txt", `${base}/data/alias`);
    await fsp.symlink("data", `${base}/data/dirlink`);
    await fsp.symlink("data", `${base}/data/dirlink2`);
    await fsp.symlink(`${base}/outside`, `${base}/data/outlink`);
    await storage.persistent.remove("alias");
    await storage.persistent.remove("dirlink", { recursive: true });
    await storage.persistent.remove("dirlink2");
    await storage.persistent.remove("outlink", { recursive: true });
    expect((await fsp.readdir(`${base}/data`)).sort()).toEqual(["data"]);
    expect(await fsp.readFile(`${base}/data/data/important.txt`, "utf8")).toBe("keep me");
    expect(await fsp.readdir(`${base}/outside`)).toEqual(["secret"]);
    expect(storage.usage().persistent).toBe(7);
    // Reads and writes still follow an in-root link; one to outside is still refused.
    await fsp.symlink("data/important.txt", `${base}/data/alias`);
    expect(await storage.persistent.readTextFile("alias")).toBe("keep me");
    await fsp.symlink(`${base}/outside/secret`, `${base}/data/outfile`);
    await expect(storage.persistent.readFile("outfile")).rejects.toBeInstanceOf(StorageEscapeError);
  });

  it("a path name over 255 bytes is an InvalidArgumentError saying so, before the OS sees it", async () => {
    for (const path of ["n".repeat(256), `${"d".repeat(256)}/x`, "\u00e9".repeat(128)]) {
      const error = await storage.persistent.writeFile(path, "x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(
        /^storage path must be made of names of at most 255 bytes each \(UTF-8\), but one is 256 bytes long/,
      );
      await expect(storage.persistent.readFile(path)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(await fsp.readdir(`${base}/data`)).toEqual([]);
    // 255 bytes of UTF-8 (127 two-byte characters and one more byte) is a valid name.
    await storage.persistent.writeFile(`${"\u00e9".repeat(127)}a`, "ok");
    expect(await storage.persistent.readTextFile(`${"\u00e9".repeat(127)}a`)).toBe("ok");
  });

  it("createStorage options that are missing or of the wrong type are InvalidArgumentErrors naming the option", async () => {
    const cases: [unknown, RegExp][] = [
      [null, /^createStorage options must be an object, got null/],
      [{ persistent: "", ephemeral: base }, /^createStorage persistent must be a non-empty directory path, got ""/],
      [{ persistent: 42, ephemeral: base }, /^createStorage persistent must be a non-empty directory path, got 42/],
      [{ persistent: base, ephemeral: "  " }, /^createStorage ephemeral must be a non-empty directory path/],
      [
        { persistent: base, ephemeral: base, diskWarnRatio: "x" },
        /^createStorage diskWarnRatio must be a number from 0 to 1, got "x"/,
      ],
      [
        { persistent: base, ephemeral: base, diskWarnRatio: 2 },
        /^createStorage diskWarnRatio must be a number from 0 to 1, got 2/,
      ],
      [{ persistent: base, ephemeral: base, diskWarnRatio: Number.NaN }, /diskWarnRatio/],
      [
        { persistent: base, ephemeral: base, ephemeralDirName: 42 },
        /^createStorage ephemeralDirName must be a single directory name, got 42/,
      ],
      [{ persistent: base, ephemeral: base, ephemeralDirName: "a/b" }, /^createStorage ephemeralDirName must be/],
      [{ persistent: base, ephemeral: base, wallClock: 5 }, /^createStorage wallClock must be a function/],
    ];
    for (const [options, message] of cases) {
      const error = await createStorage(testPlatform, options as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    await expect(createStorage(null as never, { persistent: base, ephemeral: base })).rejects.toThrow(
      /^createStorage platform must be a platform with an fs/,
    );
  });

  it("refuses to remove a root and rejects bad options by name", async () => {
    await expect(storage.persistent.remove(".")).rejects.toThrow(/root itself/);
    await expect(createStorage(testPlatform, { persistent: "", ephemeral: base })).rejects.toThrow(/persistent/);
    await expect(createStorage(testPlatform, { persistent: base, ephemeral: base, maxSize: "10GB" })).rejects.toThrow(
      /10GB/,
    );
    await expect(
      createStorage(testPlatform, { persistent: base, ephemeral: base, ephemeralDirName: "../x" }),
    ).rejects.toThrow(/ephemeralDirName|above the root/);
  });
});
