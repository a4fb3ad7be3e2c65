import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import {
  breakerPolicy,
  CircuitBreaker,
  CircuitOpenError,
  compose,
  ResilienceConfigError,
  retryPolicy,
  RuntimeError,
  TimeoutError,
  timeoutPolicy,
  withTimeout,
} from "../../src/resilience/index.ts";
import { settle, track } from "./helpers.ts";

/** Never settles on its own; rejects with the signal's reason when aborted. */
function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

describe("withTimeout", () => {
  it("aborts the call's signal and rejects with a TimeoutError (real timers, 30 ms)", async () => {
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const error = await withTimeout((signal) => {
      seen = signal;
      return hang(signal);
    }, 30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(30);
    expect((error as Error).message).toBe("Operation timed out after 30 ms");
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBe(error);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("passes a fast result through and leaves no timer behind", async () => {
    const clock = new ManualClock();
    expect(await withTimeout(async () => 42, 1000, { clock })).toBe(42);
    await settle();
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rejects when the call does not stop, without waiting for it", async () => {
    const clock = new ManualClock();
    const state = track(withTimeout(() => new Promise(() => {}), 100, { clock, what: "embedding request" }));
    await clock.advance(100);
    expect((state.error as Error).message).toBe("embedding request timed out after 100 ms");
  });

  it("follows the caller's signal", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const pending = withTimeout(hang, 10_000, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("rejects a bad timeout", async () => {
    await expect(withTimeout(async () => 1, 0)).rejects.toBeInstanceOf(ResilienceConfigError);
    await expect(withTimeout(async () => 1, Number.NaN)).rejects.toThrow(/timeout ms must be a finite number > 0/);
  });
});

describe("compose", () => {
  it("retry outside breaker outside timeout: each attempt times out, the breaker counts it, retry sees it open", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "search", threshold: 2, timeout: 60_000, clock });
    const policy = compose(
      retryPolicy({ maxRetries: 3, backoffMs: 10, jitter: "none", clock, context: "search" }),
      breakerPolicy(breaker),
      timeoutPolicy(100, { clock }),
    );
    let calls = 0;
    const state = track(
      policy.execute((signal) => {
        calls++;
        return hang(signal);
      }),
    );
    for (let i = 0; i < 10 && !state.settled; i++) {
      await settle();
      await clock.advance(50);
    }
    const error = state.error as RuntimeError;
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error.message).toBe("search failed after 3 attempts");
    expect(error.attempts.map((e) => (e as Error).name)).toEqual(["TimeoutError", "TimeoutError", "CircuitOpenError"]);
    expect(calls).toBe(2);
    expect(breaker.state).toBe("open");
  });

  it("breaker outside retry: the breaker sees one failure per whole retry sequence", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "db", threshold: 5, clock });
    const policy = compose(breaker, retryPolicy({ maxRetries: 3, backoffMs: 1, jitter: "none", clock }));
    let calls = 0;
    const state = track(
      policy.execute(async () => {
        calls++;
        throw new Error("down");
      }),
    );
    for (let i = 0; i < 5 && !state.settled; i++) {
      await settle();
      await clock.advance(10);
    }
    expect(calls).toBe(3);
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it("passes the caller's signal through every layer", async () => {
    const policy = compose(retryPolicy({ maxRetries: 1 }), breakerPolicy({ name: "x" }), timeoutPolicy(10_000));
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = policy.execute(hang, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(compose().execute(async (signal) => signal.aborted)).resolves.toBe(false);
  });

  it("fails fast through an open breaker without calling", async () => {
    const breaker = new CircuitBreaker({ name: "y", threshold: 1 });
    breaker.trip();
    let called = false;
    await expect(
      compose(breaker, timeoutPolicy(1000)).execute(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
  });

  it("rejects things that are not policies", () => {
    expect(() => compose({} as never)).toThrow(/compose\(\) takes policies/);
    expect(() => timeoutPolicy(-1)).toThrow(ResilienceConfigError);
  });
});
