import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Platform } from "@aral/core";
import { describe, expect, it } from "vitest";
import { readLastLines } from "../../src/logs/read-log.ts";
import { RotatingLog } from "../../src/logs/rotating-log.ts";
import { Supervisor } from "../../src/supervisor.ts";
import { fixture, platform, quietLogger } from "../helpers.ts";

function logLines(dir: string, name: string, files: number): string[] {
  const paths = [...Array.from({ length: files }, (_, i) => `${name}.log.${files - i}`), `${name}.log`];
  return paths.flatMap((file) => {
    try {
      return readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  });
}

describe("RotatingLog", () => {
  it("rotates by size: <name>.log, .log.1 … .log.<files>, no file past maxBytes, the oldest dropped, files 0600 in a 0700 dir", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aral-log-")), "logs");
    const log = new RotatingLog(platform, { dir, name: "api", maxBytes: 1024, files: 2 });
    for (let i = 1; i <= 200; i++) void log.write(`api#0 out line ${String(i).padStart(3, "0")}`);
    await log.flush();
    expect(readdirSync(dir).sort()).toEqual(["api.log", "api.log.1", "api.log.2"]);
    for (const file of readdirSync(dir)) {
      expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(1024);
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const kept = logLines(dir, "api", 2);
    expect(kept.at(-1)).toBe("api#0 out line 200");
    // consecutive, newest last: rotation neither reorders nor loses lines within what it keeps
    const numbers = kept.map((line) => Number(line.slice(-3)));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => 201 - numbers.length + i));
    expect(numbers.length).toBeGreaterThan(100);
    expect(await readLastLines(platform, log.paths, 3)).toEqual([
      "api#0 out line 198",
      "api#0 out line 199",
      "api#0 out line 200",
    ]);
  });

  it("backpressure: a child writing faster than a slow disk loses no line and the queue stays bounded", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aral-log-")), "logs");
    // a disk that takes 3 ms per write
    const slowFs = {
      ...platform.fs,
      writeFile: async (...args: Parameters<Platform["fs"]["writeFile"]>) => {
        await new Promise((resolve) => setTimeout(resolve, 3));
        return platform.fs.writeFile(...args);
      },
    };
    const highWaterBytes = 64 * 1024;
    const log = new RotatingLog({ fs: slowFs }, { dir, name: "fast", maxBytes: 512 * 1024, files: 30, highWaterBytes });
    const total = 60_000;
    let peak = 0;
    let paused = 0;
    const supervisor = new Supervisor(platform, {
      command: process.execPath,
      args: [fixture("fast-writer.mjs"), String(total)],
      env: { PATH: process.env["PATH"] ?? "" },
      runtime: "node",
      restart: { maxRestarts: 0, windowMs: 10_000, backoffMs: 10, maxBackoffMs: 10 },
      shutdownTimeoutMs: 2_000,
      logger: quietLogger,
      onOutput: ({ line }) => {
        const wait = log.write(`fast#0 out ${line}`);
        peak = Math.max(peak, log.queuedBytes);
        if (wait) paused += 1;
        return wait;
      },
    });
    supervisor.start();
    const outcome = await supervisor.finished();
    expect(outcome.code).toBe(0);
    await log.flush();
    const lines = logLines(dir, "fast", 30);
    expect(lines.length).toBe(total);
    expect(lines[0]).toMatch(/^fast#0 out line 1 x+$/);
    expect(lines.every((line, i) => line.startsWith(`fast#0 out line ${i + 1} `))).toBe(true);
    expect(paused).toBeGreaterThan(0); // the slow disk did push back
    expect(peak).toBeLessThanOrEqual(highWaterBytes + 200); // at most one line past the mark: the child was paused, not buffered
    for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(512 * 1024);
  }, 60_000);

  it("flush() waits for the lines queued before it, not for a queue a producer that never pauses keeps full", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aral-rotlog-"));
    const log = new RotatingLog(platform, { dir, name: "flood", maxBytes: 1024, files: 2 });
    let n = 0;
    const batch = (): void => {
      for (let i = 0; i < 50; i++) void log.write(`line ${++n}`);
    };
    batch();
    const flushedAt = n;
    let flushed = false;
    const flush = log.flush().then(() => (flushed = true));
    // a producer that ignores backpressure: more lines every turn of the event loop, until flush() resolves
    const deadline = Date.now() + 5_000;
    while (!flushed && Date.now() < deadline) {
      batch();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(flushed).toBe(true);
    await flush;
    expect(n).toBeGreaterThan(flushedAt);
    // the lines queued before the call are on disk (the files keep the last 3 KiB of them, or of later ones)
    const last = Number(/line (\d+)$/.exec(logLines(dir, "flood", 2).at(-1)!)![1]);
    expect(last).toBeGreaterThanOrEqual(flushedAt);
  });
});
