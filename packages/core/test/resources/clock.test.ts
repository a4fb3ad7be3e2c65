import { describe, expect, it } from "vitest";
import { systemClock } from "@aral/platform";
import { ManualClock } from "@aral/platform";

describe("systemClock", () => {
  it("sleeps for real and rejects with the signal's reason on abort", async () => {
    const start = systemClock.now();
    await systemClock.sleep(30);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(25);
    const controller = new AbortController();
    const pending = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error("enough"));
    await expect(pending).rejects.toThrow("enough");
    await expect(systemClock.sleep(1, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});

describe("ManualClock", () => {
  it("resolves due sleeps in order of due time as time advances", async () => {
    const clock = new ManualClock(100);
    const woke: string[] = [];
    void clock.sleep(30).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(10).then(() => woke.push(`a@${clock.now()}`));
    void clock.sleep(50).then(() => woke.push(`c@${clock.now()}`));
    await clock.advance(30);
    expect(woke).toEqual(["a@110", "b@130"]);
    expect(clock.now()).toBe(130);
    await clock.advance(100);
    expect(woke).toEqual(["a@110", "b@130", "c@150"]);
    expect(clock.now()).toBe(230);
  });

  it("aborted sleeps reject and leave the queue", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const pending = clock.sleep(10, controller.signal);
    controller.abort(new Error("no"));
    await expect(pending).rejects.toThrow("no");
    expect(clock.pendingSleeps).toBe(0);
  });
});
