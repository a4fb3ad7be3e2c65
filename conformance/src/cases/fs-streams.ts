import { readAll } from "@aral/platform";
import { bytesEqual, checkError, equal, fail, rejects } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { chunksOf, joinPath, patternedBytes } from "../harness/helpers.ts";

const BIG = 8 * 1024 * 1024 + 12_345; // ≥ 8 MiB and not a multiple of any buffer size

export const fsStreamCases: ConformanceCase[] = defineCases([
  {
    name: "fs.streams: openRead streams a file of 8 MiB+ byte-exact",
    capability: "fs.streams",
    timeoutMs: 30_000,
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "big-read.bin");
      const data = patternedBytes(BIG, 11);
      await platform.fs.writeFile(file, data);
      const stream = await platform.fs.openRead(file);
      let chunks = 0;
      const counted = stream.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            if (!(chunk instanceof Uint8Array))
              throw new TypeError(
                `openRead must yield Uint8Array chunks, got ${Object.prototype.toString.call(chunk)}`,
              );
            chunks++;
            controller.enqueue(chunk);
          },
        }),
      );
      bytesEqual(await readAll(counted), data, "bytes read through openRead");
      if (chunks < 2)
        fail(`openRead of ${BIG} bytes came as ${chunks} chunk(s): it must stream, not buffer the whole file`);
    },
  },
  {
    name: "fs.streams: openWrite writes 8 MiB+ in uneven chunks byte-exact (readFile agrees once close() resolves)",
    capability: "fs.streams",
    timeoutMs: 30_000,
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "big-write.bin");
      const data = patternedBytes(BIG, 23);
      const stream = await platform.fs.openWrite(file);
      const writer = stream.getWriter();
      for (const chunk of chunksOf(data, [65_536, 1, 300_000, 4093, 1_048_576])) await writer.write(chunk);
      await writer.close();
      bytesEqual(await platform.fs.readFile(file), data, "readFile after openWrite + close");
      equal((await platform.fs.stat(file)).size, BIG, "stat().size after openWrite");
    },
  },
  {
    name: "fs.streams: openWrite truncates an existing file and pipeTo works",
    capability: "fs.streams",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "truncate.txt");
      await platform.fs.writeFile(file, "x".repeat(10_000));
      const body = new Blob(["first line\n", "second line\n"]).stream();
      await body.pipeTo(await platform.fs.openWrite(file));
      equal(
        await platform.fs.readTextFile(file),
        "first line\nsecond line\n",
        "content after openWrite over a longer file",
      );
    },
  },
  {
    name: "fs.streams: openRead of an empty file ends with no bytes",
    capability: "fs.streams",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "empty.txt");
      await platform.fs.writeFile(file, new Uint8Array(0));
      equal((await readAll(await platform.fs.openRead(file))).byteLength, 0, "bytes read from an empty file");
    },
  },
  {
    name: "fs.streams: openRead of a missing file rejects NotFound; openWrite into a missing directory rejects NotFound",
    capability: "fs.streams",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const missing = joinPath(dir, "missing.bin");
      await rejects(() => platform.fs.openRead(missing), { code: "NotFound", path: missing }, "openRead(missing)");
      const inMissing = joinPath(dir, "no-dir", "out.bin");
      await rejects(
        async () => {
          const stream = await platform.fs.openWrite(inMissing);
          const writer = stream.getWriter();
          await writer.write(new Uint8Array([1]));
          await writer.close();
        },
        { code: "NotFound", path: inMissing },
        "openWrite(in a missing directory)",
      );
    },
  },
  {
    name: "fs.streams: openRead of a directory fails IsADirectory (on open or on the first read)",
    capability: "fs.streams",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      let error: unknown;
      try {
        await readAll(await platform.fs.openRead(dir));
      } catch (e) {
        error = e;
      }
      if (error === undefined) fail("openRead(directory) and reading it both succeeded");
      checkError(error, { code: "IsADirectory" }, "openRead(directory)");
    },
  },
]);
