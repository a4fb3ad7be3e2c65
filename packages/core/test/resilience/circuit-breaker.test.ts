import { describe, expect, it, vi } from "vitest";
import { ManualClock } from "@aral/platform";
import {
  CircuitBreaker,
  CircuitBreakerRegistry,
  CircuitOpenError,
  ResilienceConfigError,
} from "../../src/resilience/index.ts";
import type { CircuitStateChange } from "../../src/resilience/index.ts";
import { deferred, settle } from "./helpers.ts";

const ok = async () => "ok";
const fail = async (): Promise<never> => {
  throw new Error("dependency down");
};

async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(fail).catch(() => {});
}

describe("CircuitBreaker", () => {
  it("rejects bad options by name", () => {
    expect(() => new CircuitBreaker({ name: "" })).toThrow(ResilienceConfigError);
    expect(() => new CircuitBreaker({ name: "db", threshold: 0 })).toThrow(/threshold must be an integer from 1/);
    expect(() => new CircuitBreaker({ name: "db", timeout: -5 })).toThrow(
      /timeout must be a finite number from 0 to 2147483647/,
    );
    expect(() => new CircuitBreaker({ name: "db", timeout: 1e12 })).toThrow(
      /timeout must be a finite number from 0 to 2147483647/,
    );
    expect(() => new CircuitBreaker({ name: "db", halfOpenProbes: 1.5 })).toThrow(/halfOpenProbes/);
    expect(() => new CircuitBreaker({ name: "db", failureRatio: { ratio: 1.5, windowMs: 1000 } })).toThrow(
      /failureRatio.ratio must be a number in \(0, 1\]/,
    );
    expect(() => new CircuitBreaker(undefined as never)).toThrow(/needs an options object/);
  });

  it("opens after threshold consecutive failures; a success in between resets the count", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "llm", threshold: 3, timeout: 1000, clock });
    await failTimes(breaker, 2);
    await breaker.execute(ok);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe("closed");
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
  });

  it("fails fast while open with a CircuitOpenError saying when it will retry", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "vector-db", threshold: 1, timeout: 60_000, clock });
    await failTimes(breaker, 1);
    await clock.advance(15_000);
    let called = false;
    const before = Date.now();
    const error = (await breaker
      .execute(async () => {
        called = true;
      })
      .catch((e: unknown) => e)) as CircuitOpenError;
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.name).toBe("CircuitOpenError");
    expect(error.circuit).toBe("vector-db");
    expect(error.retryAfterMs).toBe(45_000);
    expect(error.retryAt).toBeGreaterThanOrEqual(before + 45_000);
    expect(error.retryAt).toBeLessThanOrEqual(Date.now() + 45_000);
    expect(error.message).toMatch(/Circuit 'vector-db' is open; calls fail fast until .* \(in 45000 ms\)/);
  });

  it("becomes half-open once the timeout has passed, with no timer; a successful probe closes it", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "api", threshold: 1, timeout: 1000, clock });
    await failTimes(breaker, 1);
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(999);
    expect(breaker.state).toBe("open");
    await clock.advance(1);
    expect(breaker.state).toBe("half-open");
    expect(await breaker.execute(ok)).toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("reopens on a failed probe, for a fresh timeout", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "api", threshold: 1, timeout: 1000, clock });
    await failTimes(breaker, 1);
    await clock.advance(1000);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
    expect(breaker.snapshot().retryAfterMs).toBe(1000);
  });

  it("lets halfOpenProbes probes through at once and needs all to succeed", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "api", threshold: 1, timeout: 100, halfOpenProbes: 2, clock });
    await failTimes(breaker, 1);
    await clock.advance(100);
    const a = deferred<string>();
    const b = deferred<string>();
    const pa = breaker.execute(() => a.promise);
    const pb = breaker.execute(() => b.promise);
    const third = await breaker.execute(ok).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(CircuitOpenError);
    expect((third as CircuitOpenError).retryAfterMs).toBe(0);
    a.resolve("a");
    await pa;
    expect(breaker.state).toBe("half-open");
    b.resolve("b");
    await pb;
    expect(breaker.state).toBe("closed");
  });

  it("ignores late results of calls started before a transition", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "api", threshold: 2, timeout: 1000, clock });
    const slow = [deferred<string>(), deferred<string>(), deferred<string>(), deferred<string>()];
    const calls = slow.map((d) => breaker.execute(() => d.promise).catch((e: unknown) => e));
    slow[0]!.reject(new Error("1"));
    slow[1]!.reject(new Error("2"));
    await settle();
    expect(breaker.state).toBe("open");
    const generation = breaker.generation;
    // A late success from before the circuit opened must not close it, nor a late failure re-open it later.
    slow[2]!.resolve("late");
    await settle();
    expect(breaker.state).toBe("open");
    await clock.advance(1000);
    expect(breaker.state).toBe("half-open");
    slow[3]!.reject(new Error("late failure"));
    await settle();
    expect(breaker.state).toBe("half-open");
    expect(breaker.generation).toBe(generation + 1);
    expect(await Promise.all(calls)).toHaveLength(4);
  });

  it("opens exactly once under concurrent failures", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "api", threshold: 1, timeout: 1000, clock });
    const changes: CircuitStateChange[] = [];
    breaker.onStateChange((c) => changes.push(c));
    await Promise.allSettled(Array.from({ length: 10 }, () => breaker.execute(fail)));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      name: "api",
      from: "closed",
      to: "open",
      generation: 1,
      reason: "1 consecutive failures",
      at: 0,
    });
  });

  it("opens on the failure ratio over its window, counting only recent calls", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({
      name: "api",
      threshold: 100,
      clock,
      failureRatio: { ratio: 0.5, windowMs: 1000, minimumCalls: 4 },
    });
    await failTimes(breaker, 1);
    await breaker.execute(ok);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("closed"); // 3 calls < minimumCalls
    await clock.advance(2000); // everything above falls out of the window
    await breaker.execute(ok);
    await breaker.execute(ok);
    await breaker.execute(ok);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("closed"); // 1 of 4
    await failTimes(breaker, 1);
    await breaker.execute(ok);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("closed"); // 3 of 7 < 0.5
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open"); // 4 of 8 = 0.5
  });

  it("counts only errors isFailure accepts, and not calls the caller aborted", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({
      name: "api",
      threshold: 1,
      clock,
      isFailure: (e) => !(e instanceof Error && e.message === "404"),
    });
    await breaker
      .execute(async () => {
        throw new Error("404");
      })
      .catch(() => {});
    expect(breaker.state).toBe("closed");
    const controller = new AbortController();
    const running = breaker.execute(
      (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      controller.signal,
    );
    controller.abort(new Error("caller gave up"));
    await running.catch(() => {});
    expect(breaker.state).toBe("closed");
  });

  it("emits every transition in order; a throwing listener changes nothing", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: "api", threshold: 1, timeout: 10, clock });
    const seen: string[] = [];
    breaker.onStateChange(() => {
      throw new Error("listener bug");
    });
    const unsubscribe = breaker.onStateChange((c) => seen.push(`${c.from}->${c.to}`));
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await failTimes(breaker, 1);
      await clock.advance(10);
      await breaker.execute(ok);
      breaker.trip("health check failed");
      breaker.reset();
      unsubscribe();
      await failTimes(breaker, 1);
      expect(quiet).toHaveBeenCalledTimes(6);
    } finally {
      quiet.mockRestore();
    }
    expect(seen).toEqual(["closed->open", "open->half-open", "half-open->closed", "closed->open", "open->closed"]);
  });
});

describe("CircuitBreakerRegistry", () => {
  it("keeps one breaker per dependency name", async () => {
    const registry = new CircuitBreakerRegistry();
    const a = registry.get("openai", { threshold: 2 });
    expect(registry.get("openai")).toBe(a);
    expect(registry.get("postgres")).not.toBe(a);
    expect(a.threshold).toBe(2);
    await a.execute(fail).catch(() => {});
    expect(registry.snapshot().map((s) => [s.name, s.state, s.consecutiveFailures])).toEqual([
      ["openai", "closed", 1],
      ["postgres", "closed", 0],
    ]);
    expect(() => registry.get("")).toThrow(ResilienceConfigError);
    expect(registry.delete("openai")).toBe(true);
    expect(registry.has("openai")).toBe(false);
  });

  it("with maxBreakers, forgets the least recently used closed breaker, never an open one", async () => {
    const evicted: string[] = [];
    const registry = new CircuitBreakerRegistry({ maxBreakers: 3, onEvict: (name) => evicted.push(name) });
    const open = registry.get("flaky", { threshold: 1 });
    await open.execute(fail).catch(() => {});
    expect(open.state).toBe("open");
    const a = registry.get("a");
    registry.get("b");
    registry.get("a"); // used again: "b" is now the least recently used closed one
    registry.get("c");
    expect(evicted).toEqual(["b"]);
    expect([registry.size, registry.has("flaky"), registry.get("a") === a]).toEqual([3, true, true]);
    registry.get("d");
    registry.get("e");
    expect(evicted).toEqual(["b", "c", "a"]);
    expect(registry.get("flaky")).toBe(open); // the open breaker kept its state through every eviction
    expect(() => new CircuitBreakerRegistry({ maxBreakers: 0 })).toThrow(/maxBreakers must be an integer >= 1, got 0/);
    expect(() => new CircuitBreakerRegistry({ onEvict: 1 } as never)).toThrow(/onEvict must be a function/);
    expect(() => new CircuitBreakerRegistry({ maxBreaker: 3 } as never)).toThrow(/did you mean "maxBreakers"/);
  });
});
