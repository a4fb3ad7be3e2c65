import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { isPlatformError, readAll } from "@aral/platform";
import type { PlatformErrorCode } from "@aral/platform";
import { createPlatform } from "../src/index.ts";
import { scratchDir } from "./helpers.ts";

const { fs } = createPlatform();
const scratch = scratchDir();
const dir = scratch.path;
afterAll(() => scratch.cleanup());

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

async function expectCode(promise: Promise<unknown>, code: PlatformErrorCode, path?: string, withCause = true) {
  const error = await failure(promise);
  expect(isPlatformError(error, code)).toBe(true);
  if (path !== undefined) expect((error as { path?: string }).path).toBe(path);
  if (withCause) expect((error as Error).cause).toBeDefined();
}

describe("fs errors map to PlatformError codes", () => {
  test("readFile of a missing file is NotFound with path and syscall", async () => {
    const missing = join(dir, "missing.txt");
    const error = await failure(fs.readFile(missing));
    expect(isPlatformError(error, "NotFound")).toBe(true);
    expect(error).toMatchObject({ path: missing, syscall: "readFile" });
  });
  test("readFile of a directory is IsADirectory", () => expectCode(fs.readFile(dir), "IsADirectory", dir));
  test("readDir of a file is NotADirectory", async () => {
    const file = join(dir, "plain.txt");
    await fs.writeFile(file, "x");
    await expectCode(fs.readDir(file), "NotADirectory", file);
  });
  test("mkdir of an existing dir is AlreadyExists, but fine with recursive", async () => {
    await expectCode(fs.mkdir(dir), "AlreadyExists", dir);
    await fs.mkdir(dir, { recursive: true });
  });
  test("non-recursive remove of a non-empty dir is NotEmpty; of an empty dir works", async () => {
    const full = join(dir, "full");
    await fs.mkdir(join(full, "inner"), { recursive: true });
    await expectCode(fs.remove(full), "NotEmpty", full);
    await fs.remove(join(full, "inner"));
    await fs.remove(full, { recursive: true });
    expect(await fs.exists(full)).toBe(false);
  });
  test("writeFile into a missing directory is NotFound (Bun.write would create it)", async () => {
    const target = join(dir, "no-such-dir", "f.txt");
    await expectCode(fs.writeFile(target, "x"), "NotFound", target);
    expect(await fs.exists(join(dir, "no-such-dir"))).toBe(false);
  });
  test("writeFile onto a directory is IsADirectory", () => expectCode(fs.writeFile(dir, "x"), "IsADirectory", dir));
  test("bad paths are TypeErrors, never a file descriptor", async () => {
    expect(await failure(fs.readFile(3 as unknown as string))).toBeInstanceOf(TypeError);
    expect(await failure(fs.readFile(""))).toBeInstanceOf(TypeError);
  });
});

describe("fs operations", () => {
  test("writeFile with append and mode", async () => {
    const file = join(dir, "log.txt");
    await fs.writeFile(file, "a", { mode: 0o600 });
    await fs.writeFile(file, new TextEncoder().encode("b"), { append: true });
    await fs.writeFile(file, "c", { append: true });
    expect(await fs.readTextFile(file)).toBe("abc");
    expect((await fs.stat(file)).mode! & 0o777).toBe(0o600);
    await fs.writeFile(file, "z");
    expect(await fs.readTextFile(file)).toBe("z");
  });
  test("stat, lstat, symlink, realPath, rename, readDir", async () => {
    const sub = join(dir, "tree");
    await fs.mkdir(sub);
    await fs.writeFile(join(sub, "f"), "12345");
    await fs.symlink(join(sub, "f"), join(sub, "link"));
    const viaLink = await fs.stat(join(sub, "link"));
    expect(viaLink).toMatchObject({ isFile: true, isSymlink: false, size: 5 });
    expect(viaLink.mtime).toBeInstanceOf(Date);
    expect((await fs.lstat(join(sub, "link"))).isSymlink).toBe(true);
    expect(await fs.realPath(join(sub, "link"))).toBe(await fs.realPath(join(sub, "f")));
    await fs.rename(join(sub, "f"), join(sub, "g"));
    const names = (await fs.readDir(sub)).map((e) => `${e.name}:${e.isFile}:${e.isSymlink}`).sort();
    expect(names).toEqual(["g:true:false", "link:false:true"]);
    expect(await fs.exists(join(sub, "link"))).toBe(false); // dangling now
    expect(await fs.exists(join(sub, "g", "below-a-file"))).toBe(false);
  });
  test("makeTempDir creates a new directory in the OS temp dir", async () => {
    const made = await fs.makeTempDir({ prefix: "aral-bun-x-" });
    try {
      expect((await fs.stat(made)).isDirectory).toBe(true);
      expect(made).toContain("aral-bun-x-");
    } finally {
      await fs.remove(made, { recursive: true });
    }
    expect(await failure(fs.makeTempDir({ prefix: "../escape" }))).toBeInstanceOf(TypeError);
  });
  test("diskUsage reports bytes", async () => {
    const usage = await fs.diskUsage(dir);
    expect(usage.total).toBeGreaterThan(0);
    expect(usage.available).toBeLessThanOrEqual(usage.free);
    expect(usage.free).toBeLessThanOrEqual(usage.total);
    await expectCode(fs.diskUsage(join(dir, "nope")), "NotFound");
  });
});

describe("fs streams", () => {
  test("8 MiB round trip is byte-exact, even when the writer reuses its buffer", async () => {
    const file = join(dir, "big.bin");
    const size = 8 * 1024 * 1024 + 123;
    const expected = new Uint8Array(size);
    for (let i = 0; i < size; i++) expected[i] = (i * 31 + (i >> 13)) & 0xff;
    const writable = await fs.openWrite(file);
    const writer = writable.getWriter();
    const chunk = new Uint8Array(65536);
    for (let offset = 0; offset < size; offset += chunk.length) {
      const piece = expected.subarray(offset, Math.min(offset + chunk.length, size));
      chunk.set(piece);
      await writer.write(chunk.subarray(0, piece.length));
    }
    await writer.close();
    expect((await fs.stat(file)).size).toBe(size);
    const back = await readAll(await fs.openRead(file));
    expect(back.length).toBe(size);
    expect(Buffer.compare(back, expected)).toBe(0);
  });
  test("openWrite truncates an existing file", async () => {
    const file = join(dir, "trunc.txt");
    await fs.writeFile(file, "0123456789");
    const writer = (await fs.openWrite(file)).getWriter();
    await writer.write(new TextEncoder().encode("ab"));
    await writer.close();
    expect(await fs.readTextFile(file)).toBe("ab");
  });
  test("opening errors reject up front", async () => {
    await expectCode(fs.openRead(join(dir, "missing")), "NotFound");
    await expectCode(fs.openRead(dir), "IsADirectory", dir, false); // detected by the adapter, no runtime error
    await expectCode(fs.openWrite(join(dir, "missing-dir", "f")), "NotFound");
    await expectCode(fs.openWrite(dir), "IsADirectory", dir);
  });
});
