import { isPlatformError } from "@aral/platform";
import type { PlatformErrorCode } from "@aral/platform";
import { platform } from "../src/index.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const { fs } = platform;
const fails = (code: PlatformErrorCode, path: string) => (error: unknown) =>
  isPlatformError(error, code) && error.path === path;

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.makeTempDir({ prefix: "aral-deno-fs-" });
  try {
    await body(dir);
  } finally {
    await fs.remove(dir, { recursive: true });
  }
}

Deno.test("fs errors map to PlatformError codes with path and cause", () =>
  withTempDir(async (dir) => {
    await fs.writeFile(`${dir}/file`, "x");
    await fs.mkdir(`${dir}/full/sub`, { recursive: true });
    await assertRejects(() => fs.readFile(`${dir}/missing`), fails("NotFound", `${dir}/missing`), "readFile missing");
    await assertRejects(() => fs.mkdir(`${dir}/full`), fails("AlreadyExists", `${dir}/full`), "mkdir existing");
    await fs.mkdir(`${dir}/full`, { recursive: true });
    await assertRejects(() => fs.remove(`${dir}/full`), fails("NotEmpty", `${dir}/full`), "remove non-empty");
    await assertRejects(() => fs.readDir(`${dir}/file`), fails("NotADirectory", `${dir}/file`), "readDir of a file");
    await assertRejects(() => fs.readFile(`${dir}/full`), fails("IsADirectory", `${dir}/full`), "readFile of a dir");
    await assertRejects(() => fs.openRead(`${dir}/missing`), fails("NotFound", `${dir}/missing`), "openRead missing");
    await assertRejects(() => fs.openRead(`${dir}/full`), fails("IsADirectory", `${dir}/full`), "openRead of a dir");
    await assertRejects(
      () => fs.readFile(`${dir}/missing`),
      (e) => isPlatformError(e) && e.syscall === "readFile" && (e.cause as Error).name === "NotFound",
      "cause kept",
    );
    assertEquals(await fs.exists(`${dir}/missing`), false);
    assertEquals(await fs.exists(`${dir}/file/below`), false);
    assertEquals(await fs.exists(`${dir}/file`), true);
  }));

Deno.test("fs writeFile append and mode, stat vs lstat of a symlink", () =>
  withTempDir(async (dir) => {
    await fs.writeFile(`${dir}/f`, "ab", { mode: 0o600 });
    await fs.writeFile(`${dir}/f`, new Uint8Array([99]), { append: true });
    assertEquals(await fs.readTextFile(`${dir}/f`), "abc");
    await assertRejects(
      () => fs.writeFile(`${dir}/m`, "x", { mode: 0o10000 }),
      (e) => e instanceof TypeError && e.message.includes("mode"),
      "bad mode",
    );
    const info = await fs.stat(`${dir}/f`);
    assertEquals([info.isFile, info.isDirectory, info.isSymlink, info.size, info.mode], [true, false, false, 3, 0o600]);
    await fs.symlink(`${dir}/f`, `${dir}/link`);
    assertEquals((await fs.stat(`${dir}/link`)).isSymlink, false);
    assertEquals((await fs.lstat(`${dir}/link`)).isSymlink, true);
    assertEquals(await fs.realPath(`${dir}/link`), await fs.realPath(`${dir}/f`));
    await fs.rename(`${dir}/f`, `${dir}/g`);
    assertEquals((await fs.readDir(dir)).map((e) => e.name).sort(), ["g", "link"]);
  }));

Deno.test("fs openWrite/openRead stream 9 MiB byte-exact", () =>
  withTempDir(async (dir) => {
    const data = new Uint8Array(9 * 1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
    const writable = await fs.openWrite(`${dir}/big`);
    const writer = writable.getWriter();
    for (let offset = 0; offset < data.length; offset += 1 << 20)
      await writer.write(data.slice(offset, offset + (1 << 20)));
    await writer.close();
    const onDisk = await Deno.readFile(`${dir}/big`);
    assert(onDisk.length === data.length && onDisk.every((b, i) => b === data[i]), "bytes on disk differ");
    const read = new Uint8Array(await new Response(await fs.openRead(`${dir}/big`)).arrayBuffer());
    assert(read.length === data.length && read.every((b, i) => b === data[i]), "bytes read differ");
    const truncating = (await fs.openWrite(`${dir}/big`)).getWriter();
    await truncating.write(new Uint8Array([1, 2]));
    await truncating.close();
    assertEquals([...(await fs.readFile(`${dir}/big`))], [1, 2]);
  }));

Deno.test("fs makeTempDir and diskUsage", async () => {
  const dir = await fs.makeTempDir({ prefix: "aral-prefix-" });
  try {
    assert(dir.split("/").pop()!.startsWith("aral-prefix-"), `prefix missing in ${dir}`);
    assert((await fs.stat(dir)).isDirectory, "temp dir not created");
    const usage = await fs.diskUsage(dir);
    assert(
      usage.total > 0 && usage.free > 0 && usage.available <= usage.free && usage.free <= usage.total,
      JSON.stringify(usage),
    );
  } finally {
    await fs.remove(dir);
  }
  await assertRejects(() => fs.diskUsage(`${dir}/gone`), fails("NotFound", `${dir}/gone`), "diskUsage missing");
});
