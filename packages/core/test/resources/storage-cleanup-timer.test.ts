/**
 * The runtime's periodic ephemeral cleanup (resources.storage.cleanup.maxAge): at most one pass a second however
 * small maxAge is, never two passes at once, none after stop. Only setInterval/clearInterval are faked: the
 * storage still works on real files.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { promises as fsp } from "node:fs";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { testPlatform } from "./test-platform.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("runtime ephemeral cleanup timer", () => {
  it("with maxAge 1 runs a pass once a second, one at a time, and none after stop", async () => {
    const base = await fsp.realpath(await testPlatform.fs.makeTempDir({ prefix: "aral-cleanup-timer-" }));
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const runtime = new AralRuntime(
      {
        resources: { storage: { persistent: `${base}/data`, ephemeral: `${base}/tmp`, cleanup: { maxAge: 1 } } },
        logging: { level: "error" },
        lifecycle: { healthcheck: { enabled: false } },
      },
      { platform: createPlatform(), logSink: () => {}, handleSignals: false, env: {} },
    );
    await runtime.start();
    const passes: (() => void)[] = [];
    try {
      const storage = runtime.storage!;
      // The timer calls the storage's method on each tick: count the passes and hold each open until released.
      storage.cleanupOlderThan = (ms: number) => {
        expect(ms).toBe(1);
        return new Promise<string[]>((resolve) => passes.push(() => resolve([])));
      };
      vi.advanceTimersByTime(999);
      expect(passes).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(passes).toHaveLength(1);
      // A pass still running: the ticks meanwhile start no second one.
      vi.advanceTimersByTime(5000);
      expect(passes).toHaveLength(1);
      passes[0]!();
      // Lets the finished pass settle (setImmediate is not faked: it runs once the microtasks have drained).
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(1000);
      expect(passes).toHaveLength(2);
      passes[1]!();
    } finally {
      await runtime.stop();
    }
    // stop() cleared the interval: no tick comes after it.
    vi.advanceTimersByTime(10_000);
    expect(passes).toHaveLength(2);
    await fsp.rm(base, { recursive: true, force: true });
  });
});
