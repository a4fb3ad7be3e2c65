/**
 * The runtime sweeps temp files of writes a crashed process left in its storage at start and then once per
 * STALE_TEMP_FILE_AGE_MS, logging what it removed (storage.stale-temp), and not after stop. Only setInterval and
 * clearInterval are faked: the files are real.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { existsSync, promises as fsp } from "node:fs";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { STALE_TEMP_FILE_AGE_MS } from "../../src/resources/storage.ts";
import { until } from "../wait.ts";
import { testPlatform } from "./test-platform.ts";

afterEach(() => {
  vi.useRealTimers();
});

async function leftover(path: string, ageMs: number): Promise<void> {
  await fsp.writeFile(path, "half a write");
  const then = new Date(Date.now() - ageMs);
  await fsp.utimes(path, then, then);
}

describe("runtime stale temp file sweep", () => {
  it("removes a crashed write's temp file an hour old at start, a younger one a sweep later, none after stop", async () => {
    const base = await fsp.realpath(await testPlatform.fs.makeTempDir({ prefix: "aral-temp-sweep-" }));
    const data = `${base}/data`;
    await fsp.mkdir(data);
    await leftover(`${data}/.aral-tmp-old`, STALE_TEMP_FILE_AGE_MS + 60_000);
    await leftover(`${data}/.aral-tmp-recent`, 1000);
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const lines: string[] = [];
    const runtime = new AralRuntime(
      {
        resources: { storage: { persistent: data, ephemeral: `${base}/tmp` } },
        logging: { level: "info" },
        lifecycle: { healthcheck: { enabled: false } },
      },
      { platform: createPlatform(), logSink: (line) => void lines.push(line), handleSignals: false, env: {} },
    );
    const sweeps = () =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((l) => l["event"] === "storage.stale-temp");
    await runtime.start();
    let calls = 0;
    try {
      await until("the sweep at start", () => sweeps().length === 1);
      expect(sweeps()[0]).toMatchObject({ removed: ["persistent:.aral-tmp-old"], level: 30 });
      expect(existsSync(`${data}/.aral-tmp-old`)).toBe(false);
      expect(existsSync(`${data}/.aral-tmp-recent`)).toBe(true);

      // An hour on it is old enough: the next sweep takes it.
      const hourAgo = new Date(Date.now() - STALE_TEMP_FILE_AGE_MS - 60_000);
      await fsp.utimes(`${data}/.aral-tmp-recent`, hourAgo, hourAgo);
      vi.advanceTimersByTime(STALE_TEMP_FILE_AGE_MS);
      await until("the hourly sweep", () => sweeps().length === 2);
      expect(sweeps()[1]).toMatchObject({ removed: ["persistent:.aral-tmp-recent"] });
      expect(await fsp.readdir(data)).toEqual([]);

      const storage = runtime.storage!;
      const sweep = storage.removeStaleTempFiles.bind(storage);
      storage.removeStaleTempFiles = () => {
        calls++;
        return sweep();
      };
    } finally {
      await runtime.stop();
    }
    // stop() cleared the interval: the tick that would come next calls nothing.
    vi.advanceTimersByTime(2 * STALE_TEMP_FILE_AGE_MS);
    expect(calls).toBe(0);
    await fsp.rm(base, { recursive: true, force: true });
  });
});
