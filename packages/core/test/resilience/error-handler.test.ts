import { describe, expect, it } from "vitest";
import { ManualClock } from "@aral/platform";
import { ResilienceConfigError, RuntimeError, RuntimeErrorHandler } from "../../src/resilience/index.ts";
import type { ResilienceLogger } from "../../src/resilience/index.ts";
import { settle, track } from "./helpers.ts";

function memoryLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger: ResilienceLogger = {
    warn: (message, fields) => lines.push({ level: "warn", message, fields }),
    error: (message, fields) => lines.push({ level: "error", message, fields }),
  };
  return { logger, lines };
}

describe("RuntimeErrorHandler", () => {
  it("validates its configuration at construction", () => {
    expect(() => new RuntimeErrorHandler({ maxRetries: 0 })).toThrow(ResilienceConfigError);
    expect(() => new RuntimeErrorHandler({ maxRetries: 11 })).toThrow(
      /maxRetries must be an integer from 1 to 10, got 11/,
    );
    expect(() => new RuntimeErrorHandler({ shutdown: "now" as never })).toThrow(/shutdown must be a function/);
    expect(new RuntimeErrorHandler().retryConfig).toMatchObject({
      maxRetries: 3,
      backoffMs: 1000,
      maxBackoffMs: 30_000,
      strategy: "exponential",
    });
  });

  it("retries with its configuration and logs every failed attempt with the context", async () => {
    const clock = new ManualClock();
    const { logger, lines } = memoryLogger();
    const handler = new RuntimeErrorHandler({ maxRetries: 3, backoffMs: 100, jitter: "none", clock, logger });
    let calls = 0;
    const state = track(
      handler.executeWithRetry(async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      }, "load model"),
    );
    for (let i = 0; i < 5; i++) {
      await settle();
      await clock.advance(100);
    }
    await settle();
    expect(calls).toBe(3);
    expect(state.error).toBeInstanceOf(RuntimeError);
    expect((state.error as Error).message).toBe("load model failed after 3 attempts");
    expect(lines.map((l) => `${l.level}: ${l.message}`)).toEqual([
      "warn: load model failed (attempt 1 of 3), retrying in 100 ms",
      "warn: load model failed (attempt 2 of 3), retrying in 200 ms",
      "error: load model failed",
    ]);
    expect(lines[0]!.fields).toMatchObject({
      context: "load model",
      attempt: 1,
      error: { name: "Error", message: "boom 1" },
    });
  });

  it("lets one call override the configuration", async () => {
    const handler = new RuntimeErrorHandler({ maxRetries: 5, backoffMs: 1, logger: memoryLogger().logger });
    let calls = 0;
    await expect(
      handler.executeWithRetry(
        async () => {
          calls++;
          throw new Error("x");
        },
        "once",
        { maxRetries: 1 },
      ),
    ).rejects.toThrow("once failed after 1 attempts");
    expect(calls).toBe(1);
  });

  it("handles a critical error: logs with context, notifies monitors, then shuts down once", async () => {
    const { logger, lines } = memoryLogger();
    const steps: string[] = [];
    const handler = new RuntimeErrorHandler({
      logger,
      shutdown: async (reason) => {
        steps.push(`shutdown: ${(reason as Error).message}`);
      },
    });
    handler.onCritical(async (error, info) => {
      await settle();
      steps.push(`monitor A: ${(error as Error).message} (${info.context}, #${info.sequence})`);
    });
    const unsubscribe = handler.onCritical(() => {
      steps.push("monitor B");
    });
    await handler.handleCriticalError(new Error("disk on fire"), "unhandled rejection");
    expect(lines[0]).toMatchObject({
      level: "error",
      message: "Critical error: unhandled rejection",
      fields: { context: "unhandled rejection", sequence: 1 },
    });
    expect(steps).toEqual(["monitor B", "monitor A: disk on fire (unhandled rejection, #1)", "shutdown: disk on fire"]);

    unsubscribe();
    await handler.handleCriticalError(new Error("second"));
    expect(steps).toEqual([
      "monitor B",
      "monitor A: disk on fire (unhandled rejection, #1)",
      "shutdown: disk on fire",
      "monitor A: second (critical error, #2)",
    ]);
    expect(handler.criticalErrors).toBe(2);
  });

  it("never throws: failing monitors, shutdown and logger are contained and logged", async () => {
    const { logger, lines } = memoryLogger();
    const handler = new RuntimeErrorHandler({
      logger,
      shutdown: () => {
        throw new Error("shutdown broke");
      },
    });
    handler.onCritical(() => {
      throw new Error("monitor broke");
    });
    await expect(handler.handleCriticalError("not even an Error")).resolves.toBeUndefined();
    expect(lines.map((l) => l.message)).toEqual([
      "Critical error: critical error",
      "Critical error monitor failed",
      "Graceful shutdown after a critical error failed",
    ]);
    expect(lines[0]!.fields!["error"]).toEqual({ value: "not even an Error" });

    const broken = new RuntimeErrorHandler({
      logger: {
        warn: () => {
          throw new Error("x");
        },
        error: () => {
          throw new Error("y");
        },
      },
    });
    await expect(broken.handleCriticalError(new Error("z"))).resolves.toBeUndefined();
  });

  it("moves on to shutdown when a monitor hangs past monitorTimeoutMs", async () => {
    const clock = new ManualClock();
    const { logger, lines } = memoryLogger();
    let shutdowns = 0;
    const handler = new RuntimeErrorHandler({
      clock,
      logger,
      monitorTimeoutMs: 1000,
      shutdown: () => {
        shutdowns++;
      },
    });
    handler.onCritical(() => new Promise(() => {}));
    const state = track(handler.handleCriticalError(new Error("crash")));
    await clock.advance(999);
    expect(state.settled).toBe(false);
    await clock.advance(1);
    await settle();
    expect(state.settled).toBe(true);
    expect(shutdowns).toBe(1);
    expect(lines.some((l) => l.message === "Critical error monitors did not finish within 1000 ms; continuing")).toBe(
      true,
    );
  });
});
