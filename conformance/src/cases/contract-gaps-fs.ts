/**
 * File-system promises the first cases did not pin (found by a mutation audit): plain Uint8Array bytes, streams
 * that keep every byte for a slow reader and release their descriptor when cancelled, a read that fails mid-stream,
 * the path an error names, what diskUsage and stat report.
 */
import { readAllText } from "@aral/platform";
import type { Platform } from "@aral/platform";
import { atMost, bytesEqual, checkError, equal, fail, match, ok, rejects } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";
import { collectText, joinPath, patternedBytes, statusWithin } from "../harness/helpers.ts";

const KIB = 1024;
const MIB = 1024 * KIB;

/** "Uint8Array" for a plain one; the constructor's name (e.g. "Buffer") for a subclass; the tag otherwise. */
export function bytesKind(value: unknown): string {
  if (value instanceof Uint8Array && Object.getPrototypeOf(value) === Uint8Array.prototype) return "Uint8Array";
  const name = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === "string" ? name : Object.prototype.toString.call(value);
}

/**
 * Reads a stream like a consumer slower than its source: a 5 ms pause after every 128 KiB, so the source's
 * queue fills up again and again. Requires every chunk to be a plain Uint8Array; returns the bytes.
 */
export async function readSlowly(stream: ReadableStream<Uint8Array> | null, what: string): Promise<Uint8Array> {
  if (!stream) fail(`${what}: expected a readable stream, got null`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let sincePause = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytesKind(value) !== "Uint8Array")
      fail(`${what}: chunks must be plain Uint8Arrays, chunk ${chunks.length} is a ${bytesKind(value)}`);
    chunks.push(value);
    total += value.byteLength;
    sincePause += value.byteLength;
    if (sincePause >= 128 * KIB) {
      sincePause = 0;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Open descriptors of this process (Linux: the entries of /proc/self/fd, read through the platform). */
async function openDescriptors(platform: Platform): Promise<number> {
  return (await platform.fs.readDir("/proc/self/fd")).length;
}

/** The POSIX `df -P -k` line for `path`, sizes in bytes; null when there is no df command. */
async function df(
  platform: Platform,
  path: string,
): Promise<{ total: number; used: number; available: number } | null> {
  const child = platform.process.spawn("df", ["-P", "-k", path], { stdout: "pipe", stderr: "pipe" });
  const [out, err, status] = await Promise.all([
    readAllText(child.stdout),
    readAllText(child.stderr),
    statusWithin(child, 5_000, "df").catch((error: unknown) => error),
  ]);
  if (status instanceof Error && (status as { code?: unknown }).code === "NotFound") return null;
  if (status instanceof Error) throw status;
  ok((status as { success: boolean }).success, `df -P -k ${path} must succeed (stderr: ${JSON.stringify(err)})`);
  const line = out.split("\n").find((l, i) => i > 0 && /\S/.test(l));
  const fields = line?.match(/\s(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s/);
  if (!fields) fail(`cannot read df -P -k output: ${JSON.stringify(out)}`);
  return { total: Number(fields[1]) * KIB, used: Number(fields[2]) * KIB, available: Number(fields[3]) * KIB };
}

export const contractGapFsCases: ConformanceCase[] = defineCases([
  {
    name: "fs: readFile resolves a plain Uint8Array (not a Buffer or another subclass)",
    capability: "fs",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "plain.bin");
      await platform.fs.writeFile(file, new Uint8Array([1, 2, 3]));
      const bytes = await platform.fs.readFile(file);
      equal(bytesKind(bytes), "Uint8Array", "what readFile resolves");
      bytesEqual(bytes, new Uint8Array([1, 2, 3]), "readFile");
      const empty = joinPath(await tempDir(), "empty.bin");
      await platform.fs.writeFile(empty, "");
      equal(bytesKind(await platform.fs.readFile(empty)), "Uint8Array", "what readFile of an empty file resolves");
    },
  },
  {
    name: "fs.streams: openRead keeps every byte for a reader that pauses between reads (4 MiB), in plain Uint8Array chunks",
    capability: "fs.streams",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "slow-read.bin");
      const data = patternedBytes(4 * MIB + 321, 13);
      await platform.fs.writeFile(file, data);
      bytesEqual(await readSlowly(await platform.fs.openRead(file), "openRead"), data, "bytes read slowly");
    },
  },
  {
    name: "fs.streams: openRead cancelled after one read and openWrite aborted release their descriptors (Linux: counts /proc/self/fd)",
    capability: "fs.streams",
    async run({ platform, tempDir, skip }) {
      if (platform.runtime.os !== "linux") skip("counts open descriptors in /proc/self/fd, which only Linux has");
      const dir = await tempDir();
      const file = joinPath(dir, "source.bin");
      await platform.fs.writeFile(file, patternedBytes(MIB, 17));
      const before = await openDescriptors(platform);
      // Counted after every round: a runtime that closes a forgotten descriptor on garbage collection (Node closes
      // a FileHandle so) would hide a leak from a count taken only at the end.
      let most = 0;
      const count = async () => {
        const grown = (await openDescriptors(platform)) - before;
        most = Math.max(most, grown);
        return grown;
      };
      const ROUNDS = 100;
      for (let i = 0; i < ROUNDS; i++) {
        const reader = (await platform.fs.openRead(file)).getReader();
        const first = await reader.read();
        ok(!first.done && first.value.byteLength > 0, "the first read of a 1 MiB file yields bytes");
        await reader.cancel();
        await count();
      }
      for (let i = 0; i < ROUNDS; i++) {
        const writer = (await platform.fs.openWrite(joinPath(dir, `aborted-${i % 4}.bin`))).getWriter();
        await writer.write(new Uint8Array([i & 0xff]));
        await writer.abort(new Error("given up"));
        await count();
      }
      // a descriptor may be closed a moment after cancel()/abort() settle (a round or two late): not ten rounds late
      atMost(
        most,
        8,
        `most descriptors open at once over ${ROUNDS} cancelled openRead and ${ROUNDS} aborted openWrite`,
      );
      const deadline = Date.now() + 1_000;
      let grown = await count();
      while (grown >= 5 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        grown = await count();
      }
      atMost(grown, 4, `descriptors left open by ${ROUNDS} cancelled openRead and ${ROUNDS} aborted openWrite`);
    },
  },
  {
    // Linux fails a read of a regular file on a local disk only on a hardware fault; a /proc file of another process
    // fails for sure once that process is gone and reaped (its smaps: ESRCH), and is read a few KiB per read(2), so
    // the first chunk comes before the failure on every runtime.
    name: "fs.streams: a read that fails mid-stream errors the stream with a PlatformError naming the path, after the bytes before it, not an early end (Linux: /proc/<pid>/smaps of a child reaped after the first chunk)",
    capability: "fs.streams",
    async run({ platform, spawnFixture, skip }) {
      if (platform.runtime.os !== "linux") skip("reads /proc/<pid>/smaps of a reaped child, which only Linux has");
      const child = spawnFixture("wait");
      // Past "ready" the child runs the runtime's own program: its smaps has tens of KiB (a mapping per library).
      await collectText(child.stdout).waitFor("ready", 10_000);
      const file = `/proc/${child.pid}/smaps`;
      const whole = (await platform.fs.readFile(file)).byteLength;
      const reader = (await platform.fs.openRead(file)).getReader();
      const first = await reader.read();
      ok(!first.done && first.value.byteLength > 0, `the first read of ${file} (${whole} bytes) yields bytes`);
      match(
        new TextDecoder().decode(first.value.subarray(0, 80)),
        /^[0-9a-f]+-[0-9a-f]+ [r-][w-][x-][ps] /,
        "the first chunk (smaps starts with a mapping)",
      );
      child.kill("SIGKILL");
      await statusWithin(child, 10_000, "the killed child's exit");
      let read = first.value.byteLength;
      let error: unknown;
      try {
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          read += next.value.byteLength;
        }
      } catch (e) {
        error = e;
      }
      if (error === undefined)
        fail(
          `openRead(${file}) ended after ${read} of about ${whole} bytes as if the file were complete, though the reads after its process was reaped fail (ESRCH): a failed read must error the stream`,
        );
      // ESRCH has no code of its own: Unknown, with the path the caller opened.
      checkError(error, { code: "Unknown", path: file }, "the read after the process was reaped");
      await rejects(
        () => reader.read(),
        { code: "Unknown", path: file },
        "a read after the failure (the stream stays errored)",
      );
    },
  },
  {
    name: "fs.streams: openRead whose reads fail (Linux: /proc/self/mem, EIO at offset 0) rejects with a PlatformError naming the path, and 50 such streams leave no descriptor open (counts /proc/self/fd)",
    capability: "fs.streams",
    async run({ platform, skip }) {
      if (platform.runtime.os !== "linux") skip("reads /proc/self/mem and counts /proc/self/fd, which only Linux has");
      const file = "/proc/self/mem";
      const before = await openDescriptors(platform);
      let most = 0;
      const ROUNDS = 50;
      for (let i = 0; i < ROUNDS; i++) {
        const reader = (await platform.fs.openRead(file)).getReader();
        // Address 0 is never mapped (vm.mmap_min_addr): the first read fails, whoever the process runs as.
        await rejects(() => reader.read(), { code: "Unknown", path: file }, `read ${i + 1} of ${file}`);
        most = Math.max(most, (await openDescriptors(platform)) - before);
      }
      // Nobody can cancel an errored stream to close its descriptor: the adapter must have closed it (at most a
      // round or two late).
      atMost(most, 4, `descriptors open at once over ${ROUNDS} openRead whose read failed`);
    },
  },
  {
    name: "fs: remove of a missing path with { recursive: true } rejects NotFound with the path",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const missing = joinPath(dir, "missing");
      await rejects(
        () => platform.fs.remove(missing, { recursive: true }),
        { code: "NotFound", path: missing },
        "remove(missing, { recursive: true })",
      );
      const inMissing = joinPath(dir, "no-such-dir", "child");
      await rejects(
        () => platform.fs.remove(inMissing, { recursive: true }),
        { code: "NotFound", path: inMissing },
        "remove(path under a missing directory, { recursive: true })",
      );
    },
  },
  {
    name: "fs: rename of a missing source rejects NotFound naming the source (from), not the target",
    capability: "fs",
    async run({ platform, tempDir }) {
      const dir = await tempDir();
      const from = joinPath(dir, "missing.txt");
      const to = joinPath(dir, "target.txt");
      await rejects(() => platform.fs.rename(from, to), { code: "NotFound", path: from }, "rename(missing, target)");
      await platform.fs.writeFile(to, "existing target");
      await rejects(
        () => platform.fs.rename(from, to),
        { code: "NotFound", path: from },
        "rename(missing, existing target)",
      );
      equal(await platform.fs.readTextFile(to), "existing target", "the target after a failed rename");
    },
  },
  {
    name: "fs: diskUsage agrees with df -P -k: total, and available is what df calls available (not free)",
    capability: "fs.diskUsage",
    async run({ platform, tempDir, skip }) {
      if (platform.runtime.os === "windows") skip("compares with the POSIX df command, which Windows lacks");
      const paths = [await tempDir(), platform.process.cwd()];
      for (const path of paths) {
        const reference = await df(platform, path);
        if (!reference) return skip("no df command on this system to compare with");
        const usage = await platform.fs.diskUsage(path);
        // other processes write meanwhile: 1% of the disk (at least 32 MiB) is "the same"
        const slack = Math.max(reference.total / 100, 32 * MIB);
        const close = (a: number, b: number) => Math.abs(a - b) <= slack;
        ok(
          close(usage.total, reference.total),
          `diskUsage(${path}).total ${usage.total} vs df's ${reference.total} (slack ${slack})`,
        );
        ok(
          close(usage.available, reference.available),
          `diskUsage(${path}).available ${usage.available} vs df's available ${reference.available} (slack ${slack}; free is ${usage.free})`,
        );
        ok(
          close(usage.free, reference.total - reference.used),
          `diskUsage(${path}).free ${usage.free} vs df's total - used ${reference.total - reference.used} (slack ${slack})`,
        );
      }
    },
  },
  {
    name: "fs: stat().mode is the permission bits only, without file-type bits (a 0o600 file, a 0o700 directory)",
    capability: "fs.mode",
    async run({ platform, tempDir, skip }) {
      if (platform.runtime.os === "windows") skip("Windows has no Unix permission bits");
      const dir = await tempDir();
      const file = joinPath(dir, "secret.txt");
      await platform.fs.writeFile(file, "s3cret", { mode: 0o600 });
      const sub = joinPath(dir, "private");
      await platform.fs.mkdir(sub, { mode: 0o700 });
      for (const [path, expected, kind] of [
        [file, 0o600, "file"],
        [sub, 0o700, "directory"],
      ] as const) {
        for (const call of ["stat", "lstat"] as const) {
          const mode = (await platform.fs[call](path)).mode;
          ok(mode !== null, `${call}().mode must be a number on a Unix system`);
          equal(
            `0o${mode.toString(8)}`,
            `0o${expected.toString(8)}`,
            `${call}().mode of a ${kind} (no bits above 0o7777)`,
          );
        }
      }
    },
  },
  {
    name: "fs: stat().mtime is the time of the last write; a later read leaves it (it is not atime)",
    capability: "fs",
    async run({ platform, tempDir }) {
      const file = joinPath(await tempDir(), "times.txt");
      await platform.fs.writeFile(file, "one");
      const first = (await platform.fs.stat(file)).mtime;
      ok(first instanceof Date, "stat().mtime must be a Date");
      // Writes (which move mtime, never atime) until stat's mtime moves: at once where the file system keeps
      // fine timestamps, within its granularity (1-2 s) where it does not.
      const started = Date.now();
      let written = first;
      for (let i = 0; ; i++) {
        await platform.fs.writeFile(file, `two ${i}`);
        written = (await platform.fs.stat(file)).mtime!;
        if (written.getTime() > first.getTime()) break;
        if (Date.now() - started > 3_000)
          fail(
            `stat().mtime stayed ${first.toISOString()} through ${i + 1} writes over 3 s: it does not follow writes`,
          );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      atMost(Math.abs(written.getTime() - Date.now()), 5_000, "ms between stat().mtime after a write and now");
      // a read moves atime (where the mount updates it), never mtime
      await new Promise((resolve) => setTimeout(resolve, 20));
      await platform.fs.readFile(file);
      equal(
        (await platform.fs.stat(file)).mtime!.toISOString(),
        written.toISOString(),
        "stat().mtime after a read (a read must not move it)",
      );
    },
  },
]);
