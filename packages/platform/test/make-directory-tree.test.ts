import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileInfoFromStats } from "../src/file-info.ts";
import { makeDirectoryTree, type DirectoryOps } from "../src/make-directory-tree.ts";
import { toPlatformError } from "../src/errors.ts";

/** The real file system through PlatformErrors, as an adapter gives it; every mkdir is recorded. */
function realOps() {
  const made: string[] = [];
  const ops: DirectoryOps = {
    async mkdir(path, mode) {
      made.push(path);
      try {
        await mkdir(path, mode === undefined ? {} : { mode });
      } catch (error) {
        throw toPlatformError(error, { syscall: "mkdir", path });
      }
    },
    async stat(path) {
      try {
        return fileInfoFromStats(await stat(path), true);
      } catch (error) {
        throw toPlatformError(error, { syscall: "stat", path });
      }
    },
  };
  return { ops, made };
}

describe("makeDirectoryTree", () => {
  it("makes every missing level with the mode; an existing directory is fine, one mkdir when the parent exists", async () => {
    const base = mkdtempSync(join(tmpdir(), "aral-tree-"));
    const { ops, made } = realOps();
    await makeDirectoryTree(ops, join(base, "a", "b", "c"), 0o700);
    expect(statSync(join(base, "a")).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, "a", "b", "c")).isDirectory()).toBe(true);
    made.length = 0;
    await makeDirectoryTree(ops, join(base, "a", "b", "c"));
    await makeDirectoryTree(ops, join(base, "a", "b", "d/"));
    expect(made).toEqual([join(base, "a", "b", "c"), join(base, "a", "b", "d/")]);
  });

  it("a file at the end is AlreadyExists, a file on the way NotADirectory", async () => {
    const base = mkdtempSync(join(tmpdir(), "aral-tree-"));
    writeFileSync(join(base, "file"), "x");
    const { ops } = realOps();
    await expect(makeDirectoryTree(ops, join(base, "file"))).rejects.toMatchObject({ code: "AlreadyExists" });
    await expect(makeDirectoryTree(ops, join(base, "file", "a", "b"))).rejects.toMatchObject({
      code: "NotADirectory",
    });
  });

  it.runIf(process.platform === "linux")(
    "under a parent that takes no children (/proc) it rejects NotFound after one try per level",
    async () => {
      const { ops, made } = realOps();
      await expect(makeDirectoryTree(ops, "/proc/aral-no-such/a/b")).rejects.toMatchObject({ code: "NotFound" });
      expect(made).toEqual([
        "/proc/aral-no-such/a/b",
        "/proc/aral-no-such/a",
        "/proc/aral-no-such",
        "/proc",
        "/proc/aral-no-such",
      ]);
    },
  );

  it("a relative path climbs to '.'", async () => {
    const calls: string[] = [];
    const existing = new Set(["."]);
    const ops: DirectoryOps = {
      async mkdir(path) {
        calls.push(path);
        if (existing.has(path)) throw toPlatformError(Object.assign(new Error("exists"), { code: "EEXIST" }));
        const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
        if (!existing.has(parent)) throw toPlatformError(Object.assign(new Error("missing"), { code: "ENOENT" }));
        existing.add(path);
      },
      async stat(path) {
        if (!existing.has(path)) throw toPlatformError(Object.assign(new Error("missing"), { code: "ENOENT" }));
        return { isDirectory: true } as Awaited<ReturnType<DirectoryOps["stat"]>>;
      },
    };
    await makeDirectoryTree(ops, "a/b");
    expect(calls).toEqual(["a/b", "a", "a/b"]);
    expect([...existing]).toEqual([".", "a", "a/b"]);
  });
});
