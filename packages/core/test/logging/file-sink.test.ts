import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { FileSinkError, createLogger, fileSink } from "../../src/logging/index.ts";
import { join, nodeFsPlatform, readFile, tempDir } from "./node-fs.ts";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.cleanup());

describe("fileSink", () => {
  it("batches lines into appends and loses none on close", async () => {
    const platform = nodeFsPlatform();
    const path = join(dir.path, "app.log");
    const sink = fileSink(platform, path, { flushIntervalMs: 60_000, maxBuffered: 100 });
    const log = createLogger({ sink });
    for (let i = 0; i < 250; i++) log.info("line", { i });
    await sink.close();
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(250);
    expect(lines.map((l) => JSON.parse(l).i)).toEqual([...Array(250).keys()]);
    expect(platform.appends).toBe(3);
    log.info("after close");
    await sink.flush();
    expect((await readFile(path, "utf8")).trimEnd().split("\n")).toHaveLength(250);
  });

  it("writes buffered lines after flushIntervalMs (injected clock) and on flush()", async () => {
    const platform = nodeFsPlatform();
    const path = join(dir.path, "timed.log");
    const clock = new ManualClock();
    const sink = fileSink(platform, path, { flushIntervalMs: 500, clock });
    sink.write("one");
    sink.write("two");
    await clock.advance(499);
    expect(platform.appends).toBe(0);
    await clock.advance(1);
    await sink.flush();
    expect(platform.appends).toBe(1);
    expect(await readFile(path, "utf8")).toBe("one\ntwo\n");
    sink.write("three");
    await sink.flush();
    expect(await readFile(path, "utf8")).toBe("one\ntwo\nthree\n");
    expect(clock.pendingSleeps).toBe(0);
    await sink.close();
  });

  it("reports a failed append through onError with the lost line count", async () => {
    const platform = nodeFsPlatform();
    const failures: Array<[string, number]> = [];
    const sink = fileSink(platform, join(dir.path, "missing-dir", "x.log"), {
      onError: (error, lost) => failures.push([(error as NodeJS.ErrnoException).code ?? "?", lost]),
    });
    sink.write("a");
    sink.write("b");
    await sink.close();
    expect(failures).toEqual([["ENOENT", 2]]);
  });

  it("rejects bad options with FileSinkError", () => {
    const platform = nodeFsPlatform();
    expect(() => fileSink(platform, "")).toThrow(FileSinkError);
    expect(() => fileSink(platform, "x.log", { maxBuffered: 0 })).toThrow(/maxBuffered must be an integer >= 1, got 0/);
    expect(() => fileSink(platform, "x.log", { flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
  });
});
