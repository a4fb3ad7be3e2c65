import { describe, expect, it } from "vitest";
import { createPlatform } from "../src/index.ts";

const platform = createPlatform();

describe("signals and process", () => {
  it("a subscribed SIGHUP reaches every handler and does not end the process; unsubscribe detaches", async () => {
    const seen: string[] = [];
    const before = process.listenerCount("SIGHUP");
    const offA = platform.signals.on("SIGHUP", () => seen.push("a"));
    const offB = platform.signals.on("SIGHUP", () => seen.push("b"));
    process.kill(process.pid, "SIGHUP");
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(2);
    expect(seen.sort()).toEqual(["a", "b"]);
    offA();
    offA(); // twice is harmless
    expect(process.listenerCount("SIGHUP")).toBe(before + 1);
    offB();
    expect(process.listenerCount("SIGHUP")).toBe(before);
  });

  it("onUncaught listens only while subscribed", () => {
    const before = process.listenerCount("unhandledRejection");
    const off1 = platform.process.onUncaught(() => {});
    const off2 = platform.process.onUncaught(() => {});
    expect(process.listenerCount("unhandledRejection")).toBe(before + 1);
    off1();
    expect(process.listenerCount("unhandledRejection")).toBe(before + 1);
    off2();
    expect(process.listenerCount("unhandledRejection")).toBe(before);
  });

  it("rejects unknown signals and bad env names with a TypeError", () => {
    expect(() => platform.signals.on("SIGUSR2" as "SIGINT", () => {})).toThrow(/SIGUSR2/);
    expect(() => platform.env.set("A=B", "x")).toThrow(TypeError);
  });

  it("describes the runtime and process", () => {
    expect(platform.runtime).toMatchObject({
      name: "node",
      version: process.versions.node,
      os: process.platform,
      arch: process.arch,
    });
    expect(platform.runtime.cpus).toBeGreaterThan(0);
    expect(platform.process.execPath).toBe(process.execPath);
    expect(platform.process.argv).toEqual(process.argv.slice(2));
    expect(platform.usage.cpu().userMicros).toBeGreaterThan(0);
    expect(platform.usage.memory().rss).toBeGreaterThan(1024 * 1024);
  });
});
