import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlatformError, readAll } from "@aral/platform";
import { createPlatform } from "../src/index.ts";

const { fs } = createPlatform();
let dir: string;

beforeAll(async () => {
  dir = await fs.makeTempDir({ prefix: "aral-node-fs-" });
});
afterAll(async () => {
  await fs.remove(dir, { recursive: true });
});

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe("fs error codes", () => {
  it("readFile of a missing file is NotFound with path and syscall", async () => {
    const error = await failure(fs.readFile(`${dir}/missing`));
    expect(error.code).toBe("NotFound");
    expect(error.path).toBe(`${dir}/missing`);
    expect(error.syscall).toBe("readFile");
    expect((error.cause as { code?: string }).code).toBe("ENOENT");
  });

  it("mkdir of an existing dir is AlreadyExists, but fine with recursive", async () => {
    await fs.mkdir(`${dir}/made`);
    expect((await failure(fs.mkdir(`${dir}/made`))).code).toBe("AlreadyExists");
    await fs.mkdir(`${dir}/made`, { recursive: true });
  });

  it("non-recursive remove of a non-empty dir is NotEmpty; recursive removes it", async () => {
    await fs.mkdir(`${dir}/full/inner`, { recursive: true });
    await fs.writeFile(`${dir}/full/inner/f`, "x");
    expect((await failure(fs.remove(`${dir}/full`))).code).toBe("NotEmpty");
    await fs.remove(`${dir}/full`, { recursive: true });
    expect(await fs.exists(`${dir}/full`)).toBe(false);
    expect((await failure(fs.remove(`${dir}/full`))).code).toBe("NotFound");
  });

  it("readDir of a file is NotADirectory; readFile and openRead of a dir are IsADirectory", async () => {
    await fs.writeFile(`${dir}/plain`, "x");
    expect((await failure(fs.readDir(`${dir}/plain`))).code).toBe("NotADirectory");
    expect((await failure(fs.readFile(dir))).code).toBe("IsADirectory");
    expect((await failure(fs.openRead(dir))).code).toBe("IsADirectory");
    expect((await failure(fs.openRead(`${dir}/nope`))).code).toBe("NotFound");
    expect((await failure(fs.openWrite(`${dir}/nope/deeper`))).code).toBe("NotFound");
  });

  it("exists never throws for a missing path, even below a file", async () => {
    await fs.writeFile(`${dir}/afile`, "x");
    expect(await fs.exists(`${dir}/nothing`)).toBe(false);
    expect(await fs.exists(`${dir}/afile/below`)).toBe(false);
    expect(await fs.exists(`${dir}/afile`)).toBe(true);
  });

  it("bad input is a TypeError naming it", async () => {
    await expect(fs.readFile("")).rejects.toThrow(TypeError);
    await expect(fs.makeTempDir({ prefix: "a/b" })).rejects.toThrow(/prefix/);
  });
});

describe("fs behaviour", () => {
  it("writeFile appends and applies mode; readFile returns a plain Uint8Array", async () => {
    const file = `${dir}/append`;
    await fs.writeFile(file, "ab", { mode: 0o600 });
    await fs.writeFile(file, new Uint8Array([99]), { append: true });
    expect(await fs.readTextFile(file)).toBe("abc");
    const bytes = await fs.readFile(file);
    expect(bytes.constructor).toBe(Uint8Array);
    expect((await fs.stat(file)).mode).toBe(0o600);
  });

  it("stat follows links, lstat does not; realPath resolves; readDir reports kinds", async () => {
    await fs.mkdir(`${dir}/links`);
    await fs.writeFile(`${dir}/links/target`, "12345");
    await fs.symlink(`${dir}/links/target`, `${dir}/links/link`);
    const viaStat = await fs.stat(`${dir}/links/link`);
    expect(viaStat).toMatchObject({ isFile: true, isSymlink: false, size: 5 });
    expect(viaStat.mtime).toBeInstanceOf(Date);
    expect(await fs.lstat(`${dir}/links/link`)).toMatchObject({ isFile: false, isSymlink: true });
    expect(await fs.realPath(`${dir}/links/link`)).toBe(await fs.realPath(`${dir}/links/target`));
    const entries = (await fs.readDir(`${dir}/links`)).sort((a, b) => a.name.localeCompare(b.name));
    expect(entries).toEqual([
      { name: "link", isFile: false, isDirectory: false, isSymlink: true },
      { name: "target", isFile: true, isDirectory: false, isSymlink: false },
    ]);
    await fs.rename(`${dir}/links/target`, `${dir}/links/moved`);
    expect(await fs.exists(`${dir}/links/link`)).toBe(false); // dangling now
  });

  it("streams 8 MiB + 3 bytes byte-exact through openWrite and openRead", async () => {
    const size = 8 * 1024 * 1024 + 3;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 13)) & 0xff;
    const file = `${dir}/big`;
    await fs.writeFile(file, "old content that must be truncated");
    const writer = (await fs.openWrite(file)).getWriter();
    for (let offset = 0; offset < size; offset += 1_000_003)
      await writer.write(data.subarray(offset, offset + 1_000_003));
    await writer.close();
    expect((await fs.stat(file)).size).toBe(size);
    const back = await readAll(await fs.openRead(file));
    expect(back.byteLength).toBe(size);
    expect(Buffer.compare(back, data)).toBe(0);
  });

  it("a cancelled read stream releases its file", async () => {
    await fs.writeFile(`${dir}/cancel`, new Uint8Array(200_000));
    const stream = await fs.openRead(`${dir}/cancel`);
    const reader = stream.getReader();
    expect((await reader.read()).value?.byteLength).toBeGreaterThan(0);
    await reader.cancel();
  });

  it("diskUsage reports sane byte counts; makeTempDir is new and prefixed", async () => {
    const usage = await fs.diskUsage(dir);
    expect(usage.total).toBeGreaterThan(0);
    expect(usage.free).toBeLessThanOrEqual(usage.total);
    expect(usage.available).toBeLessThanOrEqual(usage.free);
    const a = await fs.makeTempDir({ prefix: "aral-x-" });
    const b = await fs.makeTempDir({ prefix: "aral-x-" });
    expect(a).not.toBe(b);
    expect(a.split("/").pop()).toMatch(/^aral-x-/);
    expect((await fs.stat(a)).isDirectory).toBe(true);
    await fs.remove(a);
    await fs.remove(b);
  });
});
