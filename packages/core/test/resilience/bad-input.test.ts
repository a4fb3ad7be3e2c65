import { describe, expect, it } from "vitest";
import {
  CircuitBreaker,
  CircuitBreakerRegistry,
  compose,
  executeWithRetry,
  ResilienceConfigError,
  RuntimeErrorHandler,
  retryPolicy,
  timeoutPolicy,
  withTimeout,
} from "../../src/resilience/index.ts";
import type { ResilienceLogger } from "../../src/resilience/index.ts";

/** What a promise rejected with (or the value it resolved to). */
function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.catch((error: unknown) => error);
}

/** What `fn` threw synchronously. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** A typed error naming `option`, whose message matches `message`. */
function expectConfigError(error: unknown, option: string, message: RegExp): void {
  expect(error).toBeInstanceOf(ResilienceConfigError);
  expect((error as ResilienceConfigError).option).toBe(option);
  expect((error as Error).message).toMatch(message);
}

/**
 * Runs `body`, then waits for a real timer of `ms` (armed after, so it fires after, any shorter timer `body` left
 * behind) and returns the errors thrown uncaught meanwhile.
 */
async function uncaughtAround(body: () => Promise<void>, ms: number): Promise<unknown[]> {
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on("uncaughtException", record);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    process.off("uncaughtException", record);
  }
  return uncaught;
}

const notASignal = {} as AbortSignal;

describe("a signal that is not an AbortSignal", () => {
  it("is refused by executeWithRetry before the first call, so no backoff timer is left to throw later", async () => {
    let calls = 0;
    let error: unknown;
    const uncaught = await uncaughtAround(async () => {
      error = await outcome(
        executeWithRetry(
          async () => {
            calls++;
            throw new Error("down");
          },
          "ctx",
          { signal: notASignal, backoffMs: 1, jitter: "none" },
        ),
      );
    }, 2);
    expect(uncaught).toEqual([]);
    expectConfigError(error, "signal", /^signal must be an AbortSignal, got \{\}$/);
    expect(calls).toBe(0);
  });

  it("is refused by retryPolicy().execute the same way", async () => {
    let calls = 0;
    let error: unknown;
    const uncaught = await uncaughtAround(async () => {
      error = await outcome(
        retryPolicy({ backoffMs: 1, jitter: "none" }).execute(async () => {
          calls++;
          throw new Error("down");
        }, notASignal),
      );
    }, 2);
    expect(uncaught).toEqual([]);
    expectConfigError(error, "signal", /signal must be an AbortSignal/);
    expect(calls).toBe(0);
  });

  it("is refused by withTimeout, timeoutPolicy, compose, the breaker and RuntimeErrorHandler without calling", async () => {
    let calls = 0;
    const fn = async () => ++calls;
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["withTimeout", () => withTimeout(fn, 10, { signal: notASignal })],
      ["timeoutPolicy", () => timeoutPolicy(10).execute(fn, notASignal)],
      ["compose", () => compose(timeoutPolicy(10)).execute(fn, notASignal)],
      ["compose()", () => compose().execute(fn, notASignal)],
      ["breaker", () => new CircuitBreaker({ name: "db" }).execute(fn, "x" as never)],
      ["handler", () => new RuntimeErrorHandler().executeWithRetry(fn, "c", { signal: notASignal })],
    ];
    for (const [what, attempt] of attempts) {
      const error = await outcome(attempt());
      expect(error, what).toBeInstanceOf(ResilienceConfigError);
      expect((error as ResilienceConfigError).option, what).toBe("signal");
    }
    expect(calls).toBe(0);
  });
});

describe("an operation that is not a function", () => {
  it("is refused by the breaker without counting as a dependency failure", async () => {
    const breaker = new CircuitBreaker({ name: "db", threshold: 2 });
    for (let i = 0; i < 2; i++) {
      expectConfigError(
        await outcome(breaker.execute(undefined as never)),
        "fn",
        /^fn must be a function, got undefined$/,
      );
    }
    expect(breaker.state).toBe("closed");
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it("is refused by retryPolicy and compose at once instead of being retried", async () => {
    const breaker = new CircuitBreaker({ name: "db", threshold: 1 });
    expectConfigError(await outcome(retryPolicy({ backoffMs: 1 }).execute("x" as never)), "fn", /got "x"/);
    expectConfigError(
      await outcome(compose(retryPolicy({ backoffMs: 1 }), breaker).execute(5 as never)),
      "fn",
      /got 5/,
    );
    expect(breaker.state).toBe("closed");
  });

  it("is refused by executeWithRetry, RuntimeErrorHandler and withTimeout with the typed error", async () => {
    const lines: string[] = [];
    const logger: ResilienceLogger = { warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    expectConfigError(await outcome(executeWithRetry(undefined as never, "c")), "fn", /fn must be a function/);
    expectConfigError(await outcome(executeWithRetry(async () => 1, 5 as never)), "context", /got 5/);
    const handler = new RuntimeErrorHandler({ logger });
    expectConfigError(await outcome(handler.executeWithRetry(undefined as never, "c")), "fn", /got undefined/);
    expectConfigError(await outcome(handler.executeWithRetry(async () => 1, null as never)), "context", /got null/);
    expect(lines).toEqual([]);
    expectConfigError(await outcome(withTimeout("x" as never, 10)), "fn", /got "x"/);
  });
});

describe("options that are not an object", () => {
  it("are refused with a typed error naming them and the value given", async () => {
    const f = async () => 1;
    expectConfigError(
      await outcome(executeWithRetry(f, "c", null as never)),
      "options",
      /^executeWithRetry options must be an object, got null$/,
    );
    expectConfigError(await outcome(withTimeout(f, 10, [] as never)), "options", /withTimeout options/);
    expectConfigError(
      thrown(() => new CircuitBreaker({ name: "a", failureRatio: null as never })),
      "failureRatio",
      /^CircuitBreaker failureRatio must be an object, got null$/,
    );
    expectConfigError(
      thrown(() => new RuntimeErrorHandler(5 as never)),
      "options",
      /RuntimeErrorHandler options .*got 5/,
    );
    expectConfigError(
      thrown(() => retryPolicy(null as never)),
      "options",
      /retryPolicy options/,
    );
    expectConfigError(
      thrown(() => timeoutPolicy(10, "fast" as never)),
      "options",
      /timeoutPolicy options/,
    );
    expectConfigError(
      thrown(() => new CircuitBreakerRegistry().get("db", null as never)),
      "options",
      /got null/,
    );
  });

  it("leave every documented way of calling working", async () => {
    const logger: ResilienceLogger = { warn() {}, error() {} };
    expect(new RuntimeErrorHandler().retryConfig.maxRetries).toBe(3);
    expect(new RuntimeErrorHandler(undefined).retryConfig.maxRetries).toBe(3);
    const handler = new RuntimeErrorHandler({
      maxRetries: 2,
      backoffMs: 1,
      maxBackoffMs: 10,
      backoffStrategy: "linear",
      jitter: "none",
      onRetry() {},
      logger,
      shutdown() {},
      monitorTimeoutMs: 10,
    });
    const controller = new AbortController();
    expect(
      await handler.executeWithRetry(async () => "ok", "c", { retryable: () => true, signal: controller.signal }),
    ).toBe("ok");
    expect(new CircuitBreakerRegistry().get("db", { threshold: 5, timeout: 60_000, halfOpenProbes: 1 }).threshold).toBe(
      5,
    );
    const policy = retryPolicy({ context: "load", maxRetries: 1 });
    expect(await policy.execute(async (signal) => signal.aborted, controller.signal)).toBe(false);
    expect(await withTimeout(async () => "in time", 1000, { what: "call", signal: controller.signal })).toBe("in time");
  });
});

describe("a clock that is not one", () => {
  it("is refused where it is given, naming clock, instead of failing inside a retry, a breaker or a timer", async () => {
    const junk = [{ now: 5 }, { now: () => 0 }, Date, null, 42];
    for (const clock of junk) {
      const message = /^clock must be a Clock \{ now\(\), sleep\(ms, signal\) \}, got /;
      let calls = 0;
      expectConfigError(
        await outcome(executeWithRetry(async () => ++calls, "c", { clock: clock as never })),
        "clock",
        message,
      );
      expect(calls).toBe(0);
      expectConfigError(
        thrown(() => new CircuitBreaker({ name: "b", clock: clock as never })),
        "clock",
        message,
      );
      expectConfigError(
        thrown(() => timeoutPolicy(10, { clock: clock as never })),
        "clock",
        message,
      );
      expectConfigError(await outcome(withTimeout(async () => 1, 10, { clock: clock as never })), "clock", message);
      expectConfigError(
        thrown(() => new RuntimeErrorHandler({ clock: clock as never })),
        "clock",
        message,
      );
    }
  });
});

describe("a misspelt option", () => {
  it("is refused with a suggestion instead of being ignored", async () => {
    let calls = 0;
    const error = await outcome(executeWithRetry(async () => ++calls, "ctx", { maxRetry: 1 } as never));
    expectConfigError(
      error,
      "maxRetry",
      /^unknown option "maxRetry" for executeWithRetry \(did you mean "maxRetries"\?\)$/,
    );
    expect(calls).toBe(0);
    expectConfigError(
      thrown(() => new CircuitBreaker({ name: "a", treshold: 1 } as never)),
      "treshold",
      /for CircuitBreaker \(did you mean "threshold"\?\)/,
    );
    expectConfigError(
      thrown(
        () => new CircuitBreaker({ name: "a", failureRatio: { ratio: 0.5, windowMs: 100, minimumCall: 3 } as never }),
      ),
      "failureRatio.minimumCall",
      /did you mean "failureRatio.minimumCalls"\?/,
    );
    expectConfigError(
      thrown(() => new RuntimeErrorHandler({ maxRetry: 2 } as never)),
      "maxRetry",
      /maxRetries/,
    );
    expectConfigError(
      thrown(() => retryPolicy({ contxt: "load" } as never)),
      "contxt",
      /did you mean "context"/,
    );
    expectConfigError(
      await outcome(withTimeout(async () => 1, 10, { singal: undefined } as never)),
      "singal",
      /"signal"/,
    );
  });

  it("far from every option lists the known ones; an option of another helper is refused too", () => {
    expectConfigError(
      thrown(() => new CircuitBreaker({ name: "a", enabled: true } as never)),
      "enabled",
      /; known: name, threshold, timeout, halfOpenProbes, failureRatio, isFailure, clock$/,
    );
    // retryPolicy takes its signal with each execute() call, not at construction
    expectConfigError(
      thrown(() => retryPolicy({ signal: new AbortController().signal } as never)),
      "signal",
      /retryPolicy/,
    );
  });
});
