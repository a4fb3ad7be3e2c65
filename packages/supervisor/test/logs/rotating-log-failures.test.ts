// RotatingLog when its file cannot be written: a directory that cannot be created, the file replaced by a directory,
// a full disk (a real 64 KiB tmpfs, as root). It never throws, never retries in a loop, flush() always settles, the
// lines it cannot write are counted, and once it can write again the file says how many were lost.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Platform } from "@aral/core";
import { afterAll, describe, expect, it } from "vitest";
import { ensureControlDir } from "../../src/control/socket-path.ts";
import { LogFileError } from "../../src/logs/log-file-error.ts";
import { RotatingLog, type RotatingLogOptions } from "../../src/logs/rotating-log.ts";
import { platform } from "../helpers.ts";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A RotatingLog on the real fs, its failure and recovery reports, and how many fs calls it made. */
function logIn(dir: string, options: Partial<RotatingLogOptions> = {}) {
  const errors: LogFileError[] = [];
  const recovered: number[] = [];
  let fsCalls = 0;
  const counted = new Proxy(platform.fs, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        fsCalls += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Platform["fs"];
  const log = new RotatingLog(
    { fs: counted },
    {
      dir,
      name: "api",
      maxBytes: 1024 * 1024,
      files: 2,
      onWriteError: (error) => errors.push(error),
      onWriteRecovered: (dropped) => recovered.push(dropped),
      ...options,
    },
  );
  return { log, errors, recovered, fsCalls: () => fsCalls };
}

const noteLine = (dropped: number, message: string) =>
  new RegExp(`^\\S+Z aral log: ${dropped} line\\(s\\) dropped: ${escapeRegExp(message)}$`);

/** Rejects when `promise` has not settled within `ms`: what would otherwise hang the test settles it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe.runIf(process.platform === "linux")(
  "a log directory where mkdir says ENOENT under an existing parent (/proc)",
  () => {
    it("check() rejects with ENOENT naming the directory: Node's recursive mkdir looped there forever (aral up hung without a word)", async () => {
      const dir = `/proc/aral-no-such-${process.pid}/logs`;
      const { log } = logIn(dir);
      const error = await within(log.check(), 5_000, "check()").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogFileError);
      expect((error as Error).message).toBe(
        `cannot create the log directory ${dir}: ENOENT (no such file or directory)`,
      );
    });

    it("the control directory too: ensureControlDir rejects NotFound", async () => {
      const error = await within(
        ensureControlDir(platform, `/proc/aral-no-such-${process.pid}/ctl`),
        5_000,
        "ensureControlDir",
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "NotFound" });
    });
  },
);

describe("RotatingLog when the file cannot be written", () => {
  it("check() creates the directory (0700) and the file (0600, empty) as the first write would", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aral-logfail-")), "deep", "logs");
    const { log } = logIn(dir);
    await log.check();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
    expect(statSync(log.path).size).toBe(0);
    void log.write("first");
    await log.flush();
    expect(readFileSync(log.path, "utf8")).toBe("first\n");
  });

  it("a directory that cannot be created: check() names it and ENOTDIR; writes neither throw nor retry in a loop, flush() settles, lines are counted", async () => {
    const root = mkdtempSync(join(tmpdir(), "aral-logfail-"));
    writeFileSync(join(root, "afile"), "a regular file\n");
    const dir = join(root, "afile", "logs");
    const { log, errors, recovered, fsCalls } = logIn(dir, { retryMs: 60_000 });
    const refused = await log.check().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LogFileError);
    expect((refused as LogFileError).message).toBe(
      `cannot create the log directory ${dir}: ENOTDIR (a component of the path is not a directory)`,
    );
    expect((refused as LogFileError).errno).toBe("ENOTDIR");
    expect((refused as LogFileError).path).toBe(dir);

    for (let i = 1; i <= 100; i++) expect(log.write(`line ${i}`)).toBeUndefined();
    await log.flush();
    expect(errors.map((error) => error.message)).toEqual([(refused as LogFileError).message]);
    expect(log.failure?.errno).toBe("ENOTDIR");
    expect(log.droppedLines).toBe(100);
    expect(log.queuedBytes).toBe(0);
    // until retryMs has passed, a line is dropped without touching the disk
    const calls = fsCalls();
    for (let i = 101; i <= 10_000; i++) log.write(`line ${i}`);
    await log.flush();
    expect(fsCalls()).toBe(calls);
    expect(log.droppedLines).toBe(10_000);
    expect(errors.length).toBe(1);
    expect(recovered).toEqual([]);
  });

  it("the file replaced by a directory while in use: reported once with EISDIR; when it can be written again it says how many lines were dropped, and goes on", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aral-logfail-")), "logs");
    const { log, errors, recovered } = logIn(dir, { retryMs: 0 }); // every line tries again
    for (let i = 1; i <= 10; i++) void log.write(`line ${i}`);
    await log.flush();
    expect(readFileSync(log.path, "utf8").split("\n").filter(Boolean)).toHaveLength(10);

    rmSync(log.path);
    mkdirSync(log.path);
    for (let i = 11; i <= 30; i++) void log.write(`line ${i}`);
    await log.flush();
    expect(errors.map((error) => error.message)).toEqual([
      `cannot write the log file ${log.path}: EISDIR (is a directory)`,
    ]);
    expect(log.failure?.path).toBe(log.path);
    expect(log.droppedLines).toBe(20);

    rmdirSync(log.path);
    void log.write("line 31");
    void log.write("line 32");
    await log.flush();
    expect(recovered).toEqual([20]);
    expect(log.failure).toBeUndefined();
    const lines = readFileSync(log.path, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(noteLine(20, `cannot write the log file ${log.path}: EISDIR (is a directory)`));
    expect(lines.slice(1)).toEqual(["line 31", "line 32"]);
    expect(errors.length).toBe(1);

    // it can fail again later: reported again, once
    rmSync(log.path);
    mkdirSync(log.path);
    void log.write("line 33");
    await log.flush();
    expect(errors.length).toBe(2);
    expect(log.droppedLines).toBe(21);
  });

  it("a producer paused by backpressure is let go when the write fails (the agent never blocks on a broken disk)", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aral-logfail-")), "logs");
    mkdirSync(join(dir, "api.log"), { recursive: true });
    const { log, errors } = logIn(dir, { highWaterBytes: 1000 });
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      const wait = log.write(`line ${i} ${"x".repeat(90)}`);
      if (wait) waits.push(wait);
    }
    expect(waits.length).toBeGreaterThan(0);
    await Promise.all(waits);
    await log.flush();
    expect(log.droppedLines).toBe(50);
    expect(errors.length).toBe(1);
    expect(errors[0]!.errno).toBe("EISDIR");
  });

  it("followers still get the lines the file cannot take", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aral-logfail-")), "logs");
    mkdirSync(join(dir, "api.log"), { recursive: true });
    const { log } = logIn(dir);
    const followed: string[] = [];
    log.subscribe((line) => followed.push(line));
    for (let i = 1; i <= 5; i++) void log.write(`line ${i}`);
    await log.flush();
    expect(followed).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5"]);
    expect(log.droppedLines).toBe(5);
  });
});

// A real full disk: a 64 KiB tmpfs (needs root and mount).
const mountPoint = mkdtempSync(join(tmpdir(), "aral-logfull-"));
const mounted =
  process.getuid?.() === 0 &&
  spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", mountPoint]).status === 0;

afterAll(() => {
  if (mounted) spawnSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.runIf(mounted)(
  `RotatingLog on a full disk${mounted ? "" : " (skipped: needs root and a tmpfs mount)"}`,
  () => {
    it("ENOSPC: reported once naming the file, flush() settles, lines counted; once there is room it says how many were dropped", async () => {
      const dir = join(mountPoint, "logs");
      const { log, errors, recovered } = logIn(dir, { retryMs: 0 });
      // a producer that honours backpressure, as the supervisor does: it is never held up for good
      for (let i = 1; i <= 3000; i++) await log.write(`line ${String(i).padStart(4, "0")} ${"x".repeat(90)}`);
      await log.flush();
      expect(errors.map((error) => error.message)).toEqual([
        `cannot write the log file ${log.path}: ENOSPC (no space left on device)`,
      ]);
      expect(log.droppedLines).toBeGreaterThan(2000); // 300 KB of lines, a 64 KiB disk
      const dropped = log.droppedLines;

      rmSync(log.path); // room again
      void log.write("after");
      await log.flush();
      expect(recovered).toEqual([dropped]);
      const lines = readFileSync(log.path, "utf8").split("\n").filter(Boolean);
      expect(lines[0]).toMatch(
        noteLine(dropped, `cannot write the log file ${log.path}: ENOSPC (no space left on device)`),
      );
      expect(lines.slice(1)).toEqual(["after"]);
    });
  },
);
