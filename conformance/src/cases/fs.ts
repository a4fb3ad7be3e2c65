import { PLATFORM_ERROR_CODES } from "@aral/platform";
import { atLeast, atMost, bytesEqual, deepEqual, equal, fail, ok, rejects } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { joinPath, patternedBytes, within } from "../harness/helpers.ts";

const UNICODE_TEXT = "héllo wörld ✓ 🚀 — ARAL\n";

export const fsCases: ConformanceCase[] = defineCases([
  {
    name: "fs: writeFile then readFile returns the same bytes (all 256 byte values)",
    capability: "fs",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "bytes.bin");
      const data = new Uint8Array(4096 + 17);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) % 256;
      await platform.fs.writeFile(file, data);
      bytesEqual(await platform.fs.readFile(file), data, "readFile after writeFile");
    },
  },
  {
    name: "fs: writeFile of a string writes UTF-8 and readTextFile decodes it",
    capability: "fs",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "text.txt");
      await platform.fs.writeFile(file, UNICODE_TEXT);
      equal(await platform.fs.readTextFile(file), UNICODE_TEXT, "readTextFile");
      bytesEqual(
        await platform.fs.readFile(file),
        new TextEncoder().encode(UNICODE_TEXT),
        "readFile of a string written as text",
      );
    },
  },
  {
    name: "fs: writeFile replaces (truncates) an existing file",
    capability: "fs",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "replace.txt");
      await platform.fs.writeFile(file, "a much longer first content");
      await platform.fs.writeFile(file, "short");
      equal(await platform.fs.readTextFile(file), "short", "content after the second writeFile");
    },
  },
  {
    name: "fs: writeFile with append adds to the end, and creates a missing file",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const file = joinPath(dir, "log.txt");
      await platform.fs.writeFile(file, "one\n");
      await platform.fs.writeFile(file, "two\n", { append: true });
      await platform.fs.writeFile(file, new TextEncoder().encode("three\n"), { append: true });
      equal(await platform.fs.readTextFile(file), "one\ntwo\nthree\n", "content after two appends");
      const fresh = joinPath(dir, "fresh.txt");
      await platform.fs.writeFile(fresh, "first", { append: true });
      equal(await platform.fs.readTextFile(fresh), "first", "append to a missing file");
    },
  },
  {
    name: "fs: writeFile with mode sets the permission bits of a new file",
    capability: "fs.mode",
    async run({ platform, tempDir, skip }) {
      if (platform.runtime.os === "windows") skip("Windows has no Unix permission bits");
      const file = joinPath(await tempDir(), "secret.txt");
      await platform.fs.writeFile(file, "s3cret", { mode: 0o600 });
      const info = await platform.fs.stat(file);
      ok(info.mode !== null, "stat().mode must be a number on a Unix system");
      equal(info.mode & 0o777, 0o600, "permission bits (mode & 0o777)");
      const other = joinPath(await tempDir(), "exec.sh");
      await platform.fs.writeFile(other, "#!/bin/sh\n", { mode: 0o700 });
      equal((await platform.fs.stat(other)).mode! & 0o777, 0o700, "permission bits of a file written with mode 0o700");
    },
  },
  {
    name: "fs: readFile and readTextFile of a missing file reject NotFound with the path",
    capability: "fs",
    async run({ platform, tempDir }) {
      const missing = joinPath(await tempDir(), "missing.txt");
      await rejects(() => platform.fs.readFile(missing), { code: "NotFound", path: missing }, "readFile(missing)");
      await rejects(
        () => platform.fs.readTextFile(missing),
        { code: "NotFound", path: missing },
        "readTextFile(missing)",
      );
    },
  },
  {
    name: "fs: readFile and readTextFile of a directory reject IsADirectory",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      await rejects(() => platform.fs.readFile(dir), { code: "IsADirectory", path: dir }, "readFile(directory)");
      await rejects(
        () => platform.fs.readTextFile(dir),
        { code: "IsADirectory", path: dir },
        "readTextFile(directory)",
      );
    },
  },
  {
    name: "fs: writeFile into a missing directory rejects NotFound; onto a directory rejects IsADirectory",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const inMissing = joinPath(dir, "no-such-dir", "file.txt");
      await rejects(
        () => platform.fs.writeFile(inMissing, "x"),
        { code: "NotFound", path: inMissing },
        "writeFile(in a missing directory)",
      );
      await rejects(
        () => platform.fs.writeFile(dir, "x"),
        { code: "IsADirectory", path: dir },
        "writeFile(onto a directory)",
      );
    },
  },
  {
    name: "fs: a path through a regular file rejects NotADirectory",
    capability: "fs",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "plain.txt");
      await platform.fs.writeFile(file, "x");
      const through = joinPath(file, "child.txt");
      await rejects(
        () => platform.fs.readFile(through),
        { code: "NotADirectory", path: through },
        "readFile(file/child)",
      );
      await rejects(() => platform.fs.mkdir(through), { code: "NotADirectory", path: through }, "mkdir(file/child)");
    },
  },
  {
    name: "fs: readDir lists every entry with its kind",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      await platform.fs.writeFile(joinPath(dir, "a.txt"), "a");
      await platform.fs.mkdir(joinPath(dir, "sub"));
      await platform.fs.writeFile(joinPath(dir, "sub", "nested.txt"), "n");
      await platform.fs.symlink(joinPath(dir, "a.txt"), joinPath(dir, "link"));
      const entries = (await platform.fs.readDir(dir)).map((e) => ({
        name: e.name,
        isFile: e.isFile,
        isDirectory: e.isDirectory,
        isSymlink: e.isSymlink,
      }));
      entries.sort((x, y) => (x.name < y.name ? -1 : 1));
      deepEqual(
        entries,
        [
          { name: "a.txt", isFile: true, isDirectory: false, isSymlink: false },
          { name: "link", isFile: false, isDirectory: false, isSymlink: true },
          { name: "sub", isFile: false, isDirectory: true, isSymlink: false },
        ],
        "readDir entries (sorted by name)",
      );
      deepEqual(
        await platform.fs.readDir(joinPath(dir, "sub")).then((e) => e.map((x) => x.name)),
        ["nested.txt"],
        "readDir of the sub directory",
      );
    },
  },
  {
    name: 'fs: readDir lists hidden (dot) entries, never "." or "..", and bare names, each once',
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      for (const name of [".hidden", "visible", "..double"]) await platform.fs.writeFile(joinPath(dir, name), name);
      await platform.fs.mkdir(joinPath(dir, ".git"));
      const names = (await platform.fs.readDir(dir)).map((e) => e.name).sort();
      deepEqual(names, ["..double", ".git", ".hidden", "visible"], "readDir names (sorted)");
    },
  },
  {
    name: "fs: readDir does not follow symlinks: a link to a directory and a dangling link are symlinks, neither file nor directory",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      await platform.fs.mkdir(joinPath(dir, "target"));
      await platform.fs.symlink(joinPath(dir, "target"), joinPath(dir, "to-dir"));
      await platform.fs.symlink(joinPath(dir, "nowhere"), joinPath(dir, "dangling"));
      const entries = (await platform.fs.readDir(dir)).map((e) => ({
        name: e.name,
        isFile: e.isFile,
        isDirectory: e.isDirectory,
        isSymlink: e.isSymlink,
      }));
      entries.sort((x, y) => (x.name < y.name ? -1 : 1));
      deepEqual(
        entries,
        [
          { name: "dangling", isFile: false, isDirectory: false, isSymlink: true },
          { name: "target", isFile: false, isDirectory: true, isSymlink: false },
          { name: "to-dir", isFile: false, isDirectory: false, isSymlink: true },
        ],
        "readDir entries (sorted by name)",
      );
    },
  },
  {
    name: "fs: readDir of a file rejects NotADirectory, of a missing path NotFound",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const file = joinPath(dir, "file.txt");
      await platform.fs.writeFile(file, "x");
      await rejects(() => platform.fs.readDir(file), { code: "NotADirectory", path: file }, "readDir(file)");
      const missing = joinPath(dir, "missing");
      await rejects(() => platform.fs.readDir(missing), { code: "NotFound", path: missing }, "readDir(missing)");
    },
  },
  {
    name: "fs: mkdir creates a directory; an existing path without recursive rejects AlreadyExists",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const made = joinPath(dir, "made");
      await platform.fs.mkdir(made);
      equal((await platform.fs.stat(made)).isDirectory, true, "stat(made).isDirectory");
      await rejects(() => platform.fs.mkdir(made), { code: "AlreadyExists", path: made }, "mkdir(existing directory)");
      const file = joinPath(dir, "file.txt");
      await platform.fs.writeFile(file, "x");
      await rejects(() => platform.fs.mkdir(file), { code: "AlreadyExists", path: file }, "mkdir(existing file)");
    },
  },
  {
    name: "fs: mkdir without recursive under a missing parent rejects NotFound",
    capability: "fs",
    async run({ platform, tempDir }) {
      const deep = joinPath(await tempDir(), "no", "such", "parent");
      await rejects(() => platform.fs.mkdir(deep), { code: "NotFound", path: deep }, "mkdir(missing parent)");
      equal(await platform.fs.exists(deep), false, "exists(deep) after the failed mkdir");
    },
  },
  {
    name: "fs: mkdir recursive creates every level and accepts an existing directory",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const deep = joinPath(dir, "a", "b", "c");
      await platform.fs.mkdir(deep, { recursive: true });
      equal((await platform.fs.stat(deep)).isDirectory, true, "stat(a/b/c).isDirectory");
      await platform.fs.writeFile(joinPath(deep, "keep.txt"), "kept");
      await platform.fs.mkdir(deep, { recursive: true });
      await platform.fs.mkdir(joinPath(dir, "a"), { recursive: true });
      equal(
        await platform.fs.readTextFile(joinPath(deep, "keep.txt")),
        "kept",
        "a file inside survives mkdir recursive of an existing directory",
      );
    },
  },
  {
    name: "fs: mkdir recursive over a file rejects AlreadyExists, through a file NotADirectory, and under a parent that takes no children (Linux /proc) NotFound - never a hang",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const file = joinPath(dir, "f.txt");
      await platform.fs.writeFile(file, "x");
      await within(
        rejects(
          () => platform.fs.mkdir(file, { recursive: true }),
          { code: "AlreadyExists" },
          "mkdir(file, recursive)",
        ),
        5_000,
        "mkdir recursive of an existing file",
      );
      await within(
        rejects(
          () => platform.fs.mkdir(joinPath(file, "a", "b"), { recursive: true }),
          { code: "NotADirectory" },
          "mkdir(file/a/b, recursive)",
        ),
        5_000,
        "mkdir recursive through a file",
      );
      if (platform.runtime.os !== "linux") return;
      // /proc exists but refuses new entries with ENOENT: node's own recursive mkdir retries that forever
      await within(
        rejects(
          () => platform.fs.mkdir("/proc/aral-no-such/child", { recursive: true }),
          { code: "NotFound" },
          "mkdir(/proc/x/y)",
        ),
        5_000,
        "mkdir recursive under /proc",
      );
    },
  },
  {
    name: "fs: remove deletes a file and an empty directory; a missing path rejects NotFound",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const file = joinPath(dir, "f.txt");
      await platform.fs.writeFile(file, "x");
      await platform.fs.remove(file);
      equal(await platform.fs.exists(file), false, "exists(file) after remove");
      const empty = joinPath(dir, "empty");
      await platform.fs.mkdir(empty);
      await platform.fs.remove(empty);
      equal(await platform.fs.exists(empty), false, "exists(empty dir) after remove");
      await rejects(() => platform.fs.remove(file), { code: "NotFound", path: file }, "remove(missing)");
    },
  },
  {
    name: "fs: remove of a non-empty directory without recursive rejects NotEmpty and keeps it; recursive removes the tree",
    capability: "fs",
    async run({ platform, tempDir }) {
      const tree = joinPath(await tempDir(), "tree");
      await platform.fs.mkdir(joinPath(tree, "inner"), { recursive: true });
      await platform.fs.writeFile(joinPath(tree, "inner", "leaf.txt"), "leaf");
      await rejects(() => platform.fs.remove(tree), { code: "NotEmpty", path: tree }, "remove(non-empty directory)");
      equal(
        await platform.fs.readTextFile(joinPath(tree, "inner", "leaf.txt")),
        "leaf",
        "content after the refused remove",
      );
      await platform.fs.remove(tree, { recursive: true });
      equal(await platform.fs.exists(tree), false, "exists(tree) after remove recursive");
    },
  },
  {
    name: "fs: exists is true for a file and a directory, false for a missing path",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const file = joinPath(dir, "here.txt");
      await platform.fs.writeFile(file, "x");
      equal(await platform.fs.exists(file), true, "exists(file)");
      equal(await platform.fs.exists(dir), true, "exists(directory)");
      equal(await platform.fs.exists(joinPath(dir, "nope.txt")), false, "exists(missing)");
      equal(await platform.fs.exists(joinPath(dir, "no", "such", "deep")), false, "exists(missing deep path)");
    },
  },
  {
    name: "fs: rename moves a file (and replaces the target); a missing source rejects NotFound",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const from = joinPath(dir, "from.txt");
      const to = joinPath(dir, "to.txt");
      await platform.fs.writeFile(from, "moved content");
      await platform.fs.rename(from, to);
      equal(await platform.fs.exists(from), false, "exists(from) after rename");
      equal(await platform.fs.readTextFile(to), "moved content", "content at the new path");
      const other = joinPath(dir, "other.txt");
      await platform.fs.writeFile(other, "replacement");
      await platform.fs.rename(other, to);
      equal(await platform.fs.readTextFile(to), "replacement", "content of the replaced target");
      const subFrom = joinPath(dir, "d1");
      await platform.fs.mkdir(subFrom);
      await platform.fs.writeFile(joinPath(subFrom, "x.txt"), "x");
      await platform.fs.rename(subFrom, joinPath(dir, "d2"));
      equal(await platform.fs.readTextFile(joinPath(dir, "d2", "x.txt")), "x", "a renamed directory keeps its content");
      const missing = joinPath(dir, "missing.txt");
      await rejects(
        () => platform.fs.rename(missing, joinPath(dir, "y.txt")),
        { code: "NotFound", path: [missing, joinPath(dir, "y.txt")] },
        "rename(missing, …)",
      );
    },
  },
  {
    name: "fs: stat reports kind, exact size, mtime; a missing path rejects NotFound",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const file = joinPath(dir, "sized.bin");
      const before = Date.now();
      await platform.fs.writeFile(file, patternedBytes(12_345));
      const info = await platform.fs.stat(file);
      deepEqual(
        { isFile: info.isFile, isDirectory: info.isDirectory, isSymlink: info.isSymlink, size: info.size },
        { isFile: true, isDirectory: false, isSymlink: false, size: 12_345 },
        "stat(file)",
      );
      ok(info.mtime instanceof Date, "stat(file).mtime must be a Date");
      const skew = Math.abs(info.mtime.getTime() - before);
      atMost(skew, 5 * 60_000, "|mtime - now| in ms for a file just written");
      const dirInfo = await platform.fs.stat(dir);
      deepEqual(
        { isFile: dirInfo.isFile, isDirectory: dirInfo.isDirectory, isSymlink: dirInfo.isSymlink },
        { isFile: false, isDirectory: true, isSymlink: false },
        "stat(directory)",
      );
      const missing = joinPath(dir, "missing");
      await rejects(() => platform.fs.stat(missing), { code: "NotFound", path: missing }, "stat(missing)");
      await rejects(() => platform.fs.lstat(missing), { code: "NotFound", path: missing }, "lstat(missing)");
    },
  },
  {
    name: "fs: symlink — lstat sees the link, stat follows it, a dangling link stats NotFound",
    capability: "fs.symlink",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const target = joinPath(dir, "target.txt");
      const link = joinPath(dir, "link.txt");
      await platform.fs.writeFile(target, "0123456789");
      await platform.fs.symlink(target, link);
      const l = await platform.fs.lstat(link);
      deepEqual(
        { isFile: l.isFile, isDirectory: l.isDirectory, isSymlink: l.isSymlink },
        { isFile: false, isDirectory: false, isSymlink: true },
        "lstat(link)",
      );
      const s = await platform.fs.stat(link);
      deepEqual(
        { isFile: s.isFile, isDirectory: s.isDirectory, isSymlink: s.isSymlink, size: s.size },
        { isFile: true, isDirectory: false, isSymlink: false, size: 10 },
        "stat(link) (follows)",
      );
      equal(await platform.fs.readTextFile(link), "0123456789", "readTextFile through the link");
      await rejects(
        () => platform.fs.symlink(target, link),
        { code: "AlreadyExists", path: [link, target] },
        "symlink onto an existing path",
      );
      const dangling = joinPath(dir, "dangling");
      await platform.fs.symlink(joinPath(dir, "nowhere"), dangling);
      equal((await platform.fs.lstat(dangling)).isSymlink, true, "lstat(dangling).isSymlink");
      await rejects(() => platform.fs.stat(dangling), { code: "NotFound" }, "stat(dangling link)");
    },
  },
  {
    name: "fs: realPath resolves symlinks to a canonical absolute path; missing rejects NotFound",
    capability: "fs.symlink",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const realDir = await platform.fs.realPath(dir);
      ok(
        realDir.startsWith("/") || /^[A-Za-z]:[\\/]/.test(realDir),
        `realPath must be absolute, got ${JSON.stringify(realDir)}`,
      );
      await platform.fs.mkdir(joinPath(dir, "real"));
      await platform.fs.writeFile(joinPath(dir, "real", "file.txt"), "x");
      await platform.fs.symlink(joinPath(dir, "real"), joinPath(dir, "alias"));
      const sep = realDir.includes("\\") ? "\\" : "/";
      equal(
        await platform.fs.realPath(joinPath(dir, "alias", "file.txt")),
        `${realDir}${sep}real${sep}file.txt`,
        "realPath(alias/file.txt)",
      );
      equal(
        await platform.fs.realPath(joinPath(dir, "real", "..", "real", ".", "file.txt")),
        `${realDir}${sep}real${sep}file.txt`,
        "realPath with .. and .",
      );
      const missing = joinPath(dir, "missing");
      await rejects(() => platform.fs.realPath(missing), { code: "NotFound", path: missing }, "realPath(missing)");
    },
  },
  {
    name: "fs: makeTempDir creates a fresh, empty, absolute directory with the prefix",
    capability: "fs",
    async run({ platform, defer }) {
      const a = await platform.fs.makeTempDir({ prefix: "aral-prefix-check-" });
      defer(() => platform.fs.remove(a, { recursive: true }));
      const b = await platform.fs.makeTempDir({ prefix: "aral-prefix-check-" });
      defer(() => platform.fs.remove(b, { recursive: true }));
      const c = await platform.fs.makeTempDir();
      defer(() => platform.fs.remove(c, { recursive: true }));
      ok(a !== b, `two makeTempDir calls must return different directories, both were ${JSON.stringify(a)}`);
      for (const dir of [a, b]) {
        const base = dir.split(/[\\/]/).filter(Boolean).pop() ?? "";
        ok(
          base.startsWith("aral-prefix-check-") && base.length > "aral-prefix-check-".length,
          `temp dir name must start with the prefix and add a unique part, got ${JSON.stringify(dir)}`,
        );
      }
      for (const dir of [a, b, c]) {
        ok(
          dir.startsWith("/") || /^[A-Za-z]:[\\/]/.test(dir),
          `makeTempDir must return an absolute path, got ${JSON.stringify(dir)}`,
        );
        equal((await platform.fs.stat(dir)).isDirectory, true, `stat(${dir}).isDirectory`);
        deepEqual(await platform.fs.readDir(dir), [], `readDir of a new temp dir`);
      }
    },
  },
  {
    name: "fs: diskUsage reports sane byte counts (total ≥ free ≥ available ≥ 0); missing path rejects NotFound",
    capability: "fs.diskUsage",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const usage = await platform.fs.diskUsage(dir);
      for (const key of ["total", "free", "available"] as const) {
        ok(Number.isInteger(usage[key]), `diskUsage.${key} must be an integer number of bytes, got ${usage[key]}`);
        atLeast(usage[key], 0, `diskUsage.${key}`);
      }
      atLeast(usage.total, 1024 * 1024, "diskUsage.total (bytes)");
      atMost(usage.free, usage.total, "diskUsage.free vs total");
      atMost(usage.available, usage.total, "diskUsage.available vs total");
      atMost(usage.available, usage.free, "diskUsage.available vs free");
      const missing = joinPath(dir, "missing");
      await rejects(() => platform.fs.diskUsage(missing), { code: "NotFound", path: missing }, "diskUsage(missing)");
    },
  },
  {
    name: "fs: every failure is a PlatformError carrying a valid code, a message, the path and the runtime's cause",
    capability: "fs",
    async run({ platform, tempDir }) {
      const missing = joinPath(await tempDir(), "missing.txt");
      let error: unknown;
      try {
        await platform.fs.readFile(missing);
      } catch (e) {
        error = e;
      }
      if (error === undefined) fail("readFile(missing) resolved");
      const e = error as { name?: unknown; code?: unknown; message?: unknown; path?: unknown; cause?: unknown };
      equal(e.name, "PlatformError", "error.name");
      ok(
        (PLATFORM_ERROR_CODES as readonly unknown[]).includes(e.code),
        `error.code must be one of ${PLATFORM_ERROR_CODES.join(", ")}, got ${String(e.code)}`,
      );
      ok(typeof e.message === "string" && e.message.length > 0, "error.message must be a non-empty string");
      equal(e.path, missing, "error.path");
      ok(e.cause !== undefined, "error.cause must hold the runtime's own error");
    },
  },
  {
    name: "fs: readFile with { noFollow: true } refuses a symlink as the last component, reads a plain file (and through symlinked parents)",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      await platform.fs.mkdir(joinPath(dir, "real"));
      await platform.fs.writeFile(joinPath(dir, "real/plain.txt"), "plain");
      await platform.fs.symlink(joinPath(dir, "real/plain.txt"), joinPath(dir, "link.txt"));
      await platform.fs.symlink(joinPath(dir, "real"), joinPath(dir, "alias"));
      equal(
        new TextDecoder().decode(await platform.fs.readFile(joinPath(dir, "real/plain.txt"), { noFollow: true })),
        "plain",
        "noFollow read of a plain file",
      );
      equal(
        new TextDecoder().decode(await platform.fs.readFile(joinPath(dir, "alias/plain.txt"), { noFollow: true })),
        "plain",
        "noFollow read through a symlinked parent",
      );
      await rejects(
        () => platform.fs.readFile(joinPath(dir, "link.txt"), { noFollow: true }),
        { message: /./ },
        "noFollow read of a symlink",
      );
      equal(
        new TextDecoder().decode(await platform.fs.readFile(joinPath(dir, "link.txt"))),
        "plain",
        "a plain readFile still follows the symlink",
      );
    },
  },
  {
    name: "fs: openDir holds what was opened: its path keeps naming that directory after the original path is renamed and swapped for a symlink; realPath and id come from the descriptor",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await platform.fs.realPath(await tempDir());
      await platform.fs.mkdir(joinPath(dir, "d"));
      await platform.fs.mkdir(joinPath(dir, "elsewhere"));
      await platform.fs.symlink(joinPath(dir, "d"), joinPath(dir, "alias"));
      const handle = await platform.fs.openDir(joinPath(dir, "alias"));
      const again = await platform.fs.openDir(joinPath(dir, "d"));
      try {
        equal(handle.realPath, joinPath(dir, "d"), "realPath of a directory opened through a symlink");
        equal(handle.id, again.id, "id of one directory opened by two spellings");
        ok(typeof handle.id === "string" && handle.id.length > 0, "id is a non-empty string");
        await platform.fs.rename(joinPath(dir, "d"), joinPath(dir, "moved"));
        await platform.fs.symlink(joinPath(dir, "elsewhere"), joinPath(dir, "d"));
        await platform.fs.writeFile(`${handle.path}/through-handle.txt`, "x");
        deepEqual(
          (await platform.fs.readDir(joinPath(dir, "moved"))).map((e) => e.name),
          ["through-handle.txt"],
          "a file created through handle.path lands in the opened directory, now renamed",
        );
        deepEqual(
          await platform.fs.readDir(joinPath(dir, "elsewhere")),
          [],
          "nothing lands where the swapped-in symlink points",
        );
        if (handle.pinned)
          equal(
            await platform.fs.realPath(handle.path),
            joinPath(dir, "moved"),
            "a pinned path resolves to the directory's current place",
          );
      } finally {
        await handle.close();
        await again.close();
      }
      await platform.fs.writeFile(joinPath(dir, "file.txt"), "f");
      await rejects(
        () => platform.fs.openDir(joinPath(dir, "file.txt")),
        { code: "NotADirectory" },
        "openDir of a file",
      );
      await rejects(
        () => platform.fs.openDir(joinPath(dir, "missing")),
        { code: "NotFound" },
        "openDir of a missing path",
      );
    },
  },
]);
