import { describe, expect, it } from "vitest";
import {
  CircuitBreaker,
  CircuitOpenError,
  executeWithRetry,
  ResilienceConfigError,
  RuntimeError,
  RuntimeErrorHandler,
  retryPolicy,
} from "../../src/resilience/index.ts";
import type { ResilienceLogger } from "../../src/resilience/index.ts";

/** What a promise rejected with (or the value it resolved to). */
function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.catch((error: unknown) => error);
}

const never = () => new Promise<never>(() => {});
const down = async () => {
  throw new Error("down");
};
const quiet: ResilienceLogger = { warn: () => {}, error: () => {} };

/** Runs `body` with console.error recorded instead of printed; returns what it was called with. */
async function consoleErrors(body: () => Promise<void>): Promise<unknown[][]> {
  const original = console.error;
  const calls: unknown[][] = [];
  console.error = (...args: unknown[]) => void calls.push(args);
  try {
    await body();
  } finally {
    console.error = original;
  }
  return calls;
}

describe("an attempt that ignores its aborted signal", () => {
  it("does not hold executeWithRetry past its time budget", async () => {
    const started = performance.now();
    const error = await outcome(executeWithRetry(never, "hung call", { budgetMs: 50 }));
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).reason).toBe("budget");
    expect((error as RuntimeError).attempts).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("does not hold executeWithRetry, a retry policy or RuntimeErrorHandler past the caller's abort", async () => {
    for (const run of [
      (signal: AbortSignal) => executeWithRetry(never, "hung call", { signal }),
      (signal: AbortSignal) => retryPolicy().execute(never, signal),
      (signal: AbortSignal) =>
        new RuntimeErrorHandler({ logger: quiet }).executeWithRetry(never, "hung call", { signal }),
    ]) {
      const controller = new AbortController();
      const result = outcome(run(controller.signal));
      const reason = new Error("caller gave up");
      controller.abort(reason);
      expect(await result).toBe(reason);
    }
  });

  it("a late outcome of the abandoned attempt is dropped, not reported as unhandled", async () => {
    let fail!: (error: Error) => void;
    const late = new Promise<never>((_, reject) => (fail = reject));
    const controller = new AbortController();
    const result = outcome(executeWithRetry(() => late, "call", { signal: controller.signal }));
    controller.abort(new Error("stop"));
    expect(((await result) as Error).message).toBe("stop");
    fail(new Error("too late"));
    await expect(late).rejects.toThrow("too late");
  });
});

describe("a retry callback that throws", () => {
  it("onRetry is reported and the retries go on (it only observes)", async () => {
    let calls = 0;
    let error: unknown;
    const reported = await consoleErrors(async () => {
      error = await outcome(
        executeWithRetry(
          async () => {
            calls++;
            throw new Error("down");
          },
          "ctx",
          {
            backoffMs: 1,
            onRetry: () => {
              throw new Error("observer bug");
            },
          },
        ),
      );
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).cause).toMatchObject({ message: "down" });
    expect(calls).toBe(3);
    expect(reported).toHaveLength(2);
  });

  it("onRetry given to RuntimeErrorHandler is logged through its logger and the retries go on", async () => {
    const errors: string[] = [];
    const handler = new RuntimeErrorHandler({
      backoffMs: 1,
      logger: { warn: () => {}, error: (message) => errors.push(message) },
      onRetry: () => {
        throw new Error("observer bug");
      },
    });
    let calls = 0;
    const error = await outcome(
      handler.executeWithRetry(async () => {
        calls++;
        throw new Error("down");
      }, "ctx"),
    );
    expect(error).toBeInstanceOf(RuntimeError);
    expect(calls).toBe(3);
    expect(errors.filter((message) => message.includes("onRetry threw"))).toHaveLength(2);
  });

  it("retryable is a ResilienceConfigError naming it, saying which error it judged, its throw as the cause", async () => {
    const bug = new Error("predicate bug");
    const error = await outcome(
      executeWithRetry(down, "ctx", {
        retryable: () => {
          throw bug;
        },
      }),
    );
    expect(error).toBeInstanceOf(ResilienceConfigError);
    expect((error as ResilienceConfigError).option).toBe("retryable");
    expect((error as Error).message).toMatch(/attempt 1 of ctx \(Error: down\).*predicate bug/);
    expect((error as Error).cause).toBe(bug);
  });

  it("random outside [0, 1] or throwing is a ResilienceConfigError naming it, not a silent retry at once or past maxBackoffMs", async () => {
    for (const [random, message] of [
      [() => Number.NaN, /random\(\) must return a number from 0 to 1, got NaN/],
      [() => 50, /got 50/],
      [() => -1, /got -1/],
      [
        () => {
          throw new Error("no entropy");
        },
        /random\(\) threw: no entropy/,
      ],
    ] as const) {
      for (const jitter of ["full", "decorrelated"] as const) {
        let calls = 0;
        const error = await outcome(
          executeWithRetry(
            async () => {
              calls++;
              throw new Error("down");
            },
            "ctx",
            { backoffMs: 10, maxBackoffMs: 20, jitter, random },
          ),
        );
        expect(error).toBeInstanceOf(ResilienceConfigError);
        expect((error as ResilienceConfigError).option).toBe("random");
        expect((error as Error).message).toMatch(message);
        expect(calls).toBe(1);
      }
    }
  });
});

describe("a breaker's isFailure that throws", () => {
  it("counts the error as a failure and the caller gets the call's own error", async () => {
    const breaker = new CircuitBreaker({
      name: "db",
      threshold: 1,
      isFailure: () => {
        throw new Error("predicate bug");
      },
    });
    let error: unknown;
    const reported = await consoleErrors(async () => {
      error = await outcome(breaker.execute(down));
    });
    expect((error as Error).message).toBe("down");
    expect(breaker.state).toBe("open");
    expect(reported).toHaveLength(1);
  });

  it("in a half-open probe reopens the circuit instead of keeping the probe slot taken for good", async () => {
    let now = 0;
    const clock = { now: () => now, sleep: () => Promise.resolve() };
    const breaker = new CircuitBreaker({
      name: "db",
      threshold: 1,
      timeout: 10,
      clock,
      isFailure: (error) => {
        if ((error as Error).message === "odd") throw new Error("predicate bug");
        return true;
      },
    });
    await outcome(breaker.execute(down));
    now = 20; // half-open
    let probe: unknown;
    await consoleErrors(async () => {
      probe = await outcome(
        breaker.execute(async () => {
          throw new Error("odd");
        }),
      );
    });
    expect((probe as Error).message).toBe("odd");
    expect(breaker.state).toBe("open");
    now = 40; // half-open again: a probe gets through and closes it
    expect(await breaker.execute(async () => "up")).toBe("up");
    expect(breaker.state).toBe("closed");
    expect(await outcome(breaker.execute(async () => "again"))).not.toBeInstanceOf(CircuitOpenError);
  });
});

describe("RuntimeErrorHandler's logger", () => {
  it("that is not a logger is a ResilienceConfigError naming it, not every report dropped", () => {
    for (const logger of [5, null, "console", {}, { warn: () => {} }]) {
      expect(() => new RuntimeErrorHandler({ logger: logger as unknown as ResilienceLogger })).toThrow(
        expect.objectContaining({ name: "ResilienceConfigError", option: "logger" }),
      );
    }
    expect(() => new RuntimeErrorHandler({ logger: quiet })).not.toThrow();
  });
});
