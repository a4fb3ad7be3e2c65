import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import {
  executeWithRetry,
  NonRetryableError,
  ResilienceConfigError,
  RuntimeError,
  TimeoutError,
} from "../../src/resilience/index.ts";
import type { RetryEvent } from "../../src/resilience/index.ts";
import { settle, track } from "./helpers.ts";

/** A function failing `failures` times, then returning "ok"; records the clock time of every call. */
function flaky(clock: ManualClock, failures: number) {
  const calls: number[] = [];
  const fn = async ({ attempt }: { attempt: number }) => {
    calls.push(clock.now());
    if (attempt <= failures) throw new Error(`failure ${attempt}`);
    return "ok";
  };
  return { fn, calls };
}

async function runToEnd<T>(clock: ManualClock, promise: Promise<T>, stepMs = 100, maxSteps = 10_000) {
  const state = track(promise);
  for (let i = 0; i < maxSteps && !state.settled; i++) {
    await settle();
    if (!state.settled) await clock.advance(stepMs);
  }
  return state;
}

describe("executeWithRetry", () => {
  it.each([0, 11, 2.5, -1, "3", Number.NaN])(
    "rejects maxRetries %s with a ResilienceConfigError naming it",
    async (bad) => {
      const error = await executeWithRetry(async () => 1, "x", { maxRetries: bad as number }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResilienceConfigError);
      expect((error as ResilienceConfigError).option).toBe("maxRetries");
      expect((error as Error).message).toMatch(/maxRetries must be an integer from 1 to 10/);
    },
  );

  it("rejects other bad options by name", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ backoffMs: -1 }, "backoffMs"],
      [{ backoffMs: 100, maxBackoffMs: 50 }, "maxBackoffMs"],
      [{ backoffStrategy: "fibonacci" }, "backoffStrategy"],
      [{ jitter: "some" }, "jitter"],
      [{ budgetMs: 0 }, "budgetMs"],
      [{ retryable: true }, "retryable"],
    ];
    for (const [options, option] of cases) {
      const error = await executeWithRetry(async () => 1, "x", options).catch((e: unknown) => e);
      expect(error, option).toBeInstanceOf(ResilienceConfigError);
      expect((error as ResilienceConfigError).option).toBe(option);
    }
  });

  it("counts calls as the seed does: maxRetries 3 means at most three calls, then a RuntimeError with every error", async () => {
    const clock = new ManualClock();
    const { fn, calls } = flaky(clock, 99);
    const state = await runToEnd(
      clock,
      executeWithRetry(fn, "fetch profile", { maxRetries: 3, backoffMs: 100, jitter: "none", clock }),
    );
    expect(calls).toHaveLength(3);
    const error = state.error as RuntimeError;
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error.name).toBe("RuntimeError");
    expect(error.message).toBe("fetch profile failed after 3 attempts");
    expect(error.context).toBe("fetch profile");
    expect(error.reason).toBe("exhausted");
    expect(error.attempts.map((e) => (e as Error).message)).toEqual(["failure 1", "failure 2", "failure 3"]);
    expect((error.cause as Error).message).toBe("failure 3");
  });

  it("returns the first success and tells each call its attempt number", async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const state = await runToEnd(
      clock,
      executeWithRetry(
        async ({ attempt, signal }) => {
          seen.push(attempt);
          expect(signal).toBeInstanceOf(AbortSignal);
          if (attempt < 2) throw new Error("once");
          return attempt * 10;
        },
        "x",
        { backoffMs: 50, jitter: "none", clock },
      ),
    );
    expect(state.value).toBe(20);
    expect(seen).toEqual([1, 2]);
  });

  it("backs off exponentially from backoffMs, capped at maxBackoffMs, with no sleep after the last call", async () => {
    const clock = new ManualClock();
    const { fn, calls } = flaky(clock, 99);
    const events: RetryEvent[] = [];
    await runToEnd(
      clock,
      executeWithRetry(fn, "x", {
        maxRetries: 5,
        backoffMs: 100,
        maxBackoffMs: 250,
        jitter: "none",
        clock,
        onRetry: (e) => events.push(e),
      }),
    );
    expect(events.map((e) => e.delayMs)).toEqual([100, 200, 250, 250]);
    expect(calls).toEqual([0, 100, 300, 550, 800]);
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(events[1]).toMatchObject({ context: "x", elapsedMs: 100 });
    expect((events[1]!.error as Error).message).toBe("failure 2");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("supports the linear and constant strategies the config names", async () => {
    for (const [strategy, expected] of [
      ["linear", [0, 100, 300, 600]],
      ["constant", [0, 100, 200, 300]],
    ] as const) {
      const clock = new ManualClock();
      const { fn, calls } = flaky(clock, 99);
      await runToEnd(
        clock,
        executeWithRetry(fn, "x", { maxRetries: 4, backoffMs: 100, backoffStrategy: strategy, jitter: "none", clock }),
      );
      expect(calls, strategy).toEqual(expected);
    }
  });

  it("applies full jitter as a fraction of the computed delay", async () => {
    const clock = new ManualClock();
    const { fn } = flaky(clock, 99);
    const delays: number[] = [];
    await runToEnd(
      clock,
      executeWithRetry(fn, "x", {
        maxRetries: 4,
        backoffMs: 100,
        jitter: "full",
        random: () => 0.5,
        clock,
        onRetry: (e) => delays.push(e.delayMs),
      }),
    );
    expect(delays).toEqual([50, 100, 200]);
  });

  it("applies decorrelated jitter between backoffMs and three times the previous delay, capped", async () => {
    const clock = new ManualClock();
    const { fn } = flaky(clock, 99);
    const delays: number[] = [];
    const randoms = [0.999999, 0.999999, 0.999999, 0];
    await runToEnd(
      clock,
      executeWithRetry(fn, "x", {
        maxRetries: 5,
        backoffMs: 100,
        maxBackoffMs: 1000,
        jitter: "decorrelated",
        random: () => randoms.shift()!,
        clock,
        onRetry: (e) => delays.push(e.delayMs),
      }),
    );
    expect(delays.map(Math.round)).toEqual([300, 900, 1000, 100]);
  });

  it("fails at once on a NonRetryableError or when retryable() says no, with that error itself", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const fatal = new NonRetryableError("bad credentials");
    await expect(
      executeWithRetry(
        async () => {
          calls++;
          throw fatal;
        },
        "login",
        { clock },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);

    const notFound = Object.assign(new Error("404"), { status: 404 });
    calls = 0;
    await expect(
      executeWithRetry(
        async () => {
          calls++;
          throw notFound;
        },
        "get",
        { clock, retryable: (e) => (e as { status?: number }).status !== 404 },
      ),
    ).rejects.toBe(notFound);
    expect(calls).toBe(1);
  });

  it("aborts its sleep when the signal aborts and rejects with the signal's reason, calling no more", async () => {
    const clock = new ManualClock();
    const { fn, calls } = flaky(clock, 99);
    const controller = new AbortController();
    const state = track(
      executeWithRetry(fn, "x", { backoffMs: 1000, jitter: "none", clock, signal: controller.signal }),
    );
    await settle();
    expect(clock.pendingSleeps).toBe(1);
    const reason = new Error("user left");
    controller.abort(reason);
    await settle();
    expect(state.error).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(10_000);
    expect(calls).toHaveLength(1);
  });

  it("does not call at all with an already-aborted signal", async () => {
    let calls = 0;
    const reason = new Error("gone");
    await expect(executeWithRetry(async () => calls++, "x", { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(calls).toBe(0);
  });

  it("stops when the next sleep would overrun the time budget", async () => {
    const clock = new ManualClock();
    const { fn, calls } = flaky(clock, 99);
    const state = await runToEnd(
      clock,
      executeWithRetry(fn, "sync", {
        maxRetries: 10,
        backoffMs: 100,
        backoffStrategy: "constant",
        jitter: "none",
        budgetMs: 250,
        clock,
      }),
    );
    expect(calls).toEqual([0, 100, 200]); // a fourth call would start at 300 > 250
    const error = state.error as RuntimeError;
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error.reason).toBe("budget");
    expect(error.message).toBe("sync failed after 3 attempts (time budget of 250 ms exhausted)");
    expect(error.attempts).toHaveLength(3);
  });

  it("aborts the running attempt's signal when the budget runs out", async () => {
    const clock = new ManualClock();
    let seenReason: unknown;
    const state = track(
      executeWithRetry(
        ({ signal }) =>
          new Promise<never>((_, reject) =>
            signal.addEventListener("abort", () => {
              seenReason = signal.reason;
              reject(signal.reason);
            }),
          ),
        "slow call",
        { budgetMs: 500, clock },
      ),
    );
    await clock.advance(499);
    expect(state.settled).toBe(false);
    await clock.advance(1);
    await settle();
    expect(seenReason).toBeInstanceOf(TimeoutError);
    expect((state.error as RuntimeError).reason).toBe("budget");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("really waits with the system clock (short real-timer run)", async () => {
    const started = performance.now();
    let calls = 0;
    const value = await executeWithRetry(
      async () => {
        if (++calls < 3) throw new Error("transient");
        return "done";
      },
      "real",
      { backoffMs: 20, jitter: "none" },
    );
    expect(value).toBe("done");
    expect(performance.now() - started).toBeGreaterThanOrEqual(55); // 20 + 40, minus timer slack
  });
});
