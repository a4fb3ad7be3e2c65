import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import type { ResilienceLogger } from "./logger.ts";
import { consoleLogger, describeError } from "./logger.ts";
import { RETRY_OPTION_KEYS, resolveRetryOptions, runWithRetry } from "./retry.ts";
import type { ResolvedRetryOptions, RetryAttempt, RetryEvent, RetryOptions } from "./retry.ts";
import { ResilienceConfigError } from "./errors.ts";
import {
  describe,
  requireClock,
  requireFunction,
  requireNonNegative,
  requireOptions,
  requireSignal,
  requireString,
} from "./validate.ts";

export interface CriticalErrorInfo {
  context: string;
  /** 1 for the first critical error this handler saw, 2 for the next, ... */
  sequence: number;
}

/** A monitor told about every critical error (it may be async; it is given monitorTimeoutMs to finish). */
export type CriticalErrorListener = (error: unknown, info: CriticalErrorInfo) => void | Promise<void>;

export interface RuntimeErrorHandlerOptions extends Omit<RetryOptions, "signal" | "clock"> {
  logger?: ResilienceLogger;
  clock?: Clock;
  /** Called once, on the first critical error, after monitors were notified: the graceful stop. */
  shutdown?: (reason: unknown) => Promise<void> | void;
  /** How long handleCriticalError waits for monitors before moving on to shutdown. Default 5000 ms. */
  monitorTimeoutMs?: number;
}

/** The retry options (the signal comes with each call) and the handler's own. */
const HANDLER_OPTION_KEYS = [
  ...RETRY_OPTION_KEYS.filter((key) => key !== "signal"),
  "logger",
  "shutdown",
  "monitorTimeoutMs",
];

/**
 * The seed's RuntimeErrorHandler: retries with backoff under one configuration, and the critical-error path
 * (log with context -> notify monitors -> graceful shutdown), which never throws.
 */
export class RuntimeErrorHandler {
  readonly retryConfig: Readonly<ResolvedRetryOptions>;
  /** The retry part of the constructor's options, which each call's options override. */
  readonly #retryOptions: Omit<RetryOptions, "signal">;
  readonly #logger: ResilienceLogger;
  readonly #clock: Clock;
  readonly #shutdown: ((reason: unknown) => Promise<void> | void) | undefined;
  readonly #monitorTimeoutMs: number;
  readonly #listeners = new Set<CriticalErrorListener>();
  #criticalCount = 0;
  #shutdownDone: Promise<void> | undefined;

  constructor(options: RuntimeErrorHandlerOptions = {}) {
    const { logger, shutdown, monitorTimeoutMs, ...retry } = requireOptions(
      "RuntimeErrorHandler",
      "options",
      options,
      HANDLER_OPTION_KEYS,
    );
    if (shutdown !== undefined) requireFunction("shutdown", shutdown);
    this.#monitorTimeoutMs = requireNonNegative("monitorTimeoutMs", monitorTimeoutMs ?? 5000);
    requireClock("clock", retry.clock);
    this.#clock = retry.clock ?? systemClock;
    if (
      logger !== undefined &&
      (logger === null ||
        typeof logger !== "object" ||
        typeof logger.warn !== "function" ||
        typeof logger.error !== "function")
    ) {
      // every failure this handler reports would otherwise vanish into the catch of #log
      throw new ResilienceConfigError(
        "logger",
        `logger must have warn(message, fields) and error(message, fields) functions, got ${describe(logger)}`,
      );
    }
    this.#logger = logger ?? consoleLogger;
    this.#retryOptions = { ...retry, clock: this.#clock };
    this.retryConfig = Object.freeze(this.#withLogging(resolveRetryOptions(this.#retryOptions, "RuntimeErrorHandler")));
    this.#shutdown = shutdown;
  }

  /** How many critical errors this handler has handled. */
  get criticalErrors(): number {
    return this.#criticalCount;
  }

  /** Retries `fn` with this handler's configuration, overridden by `options`; logs every failed attempt. */
  async executeWithRetry<T>(
    fn: (attempt: RetryAttempt) => Promise<T>,
    context: string,
    options?: RetryOptions,
  ): Promise<T> {
    const owner = "RuntimeErrorHandler.executeWithRetry";
    requireFunction("fn", fn);
    requireString("context", context);
    if (options !== undefined) requireOptions(owner, "options", options, RETRY_OPTION_KEYS);
    requireSignal("signal", options?.signal);
    const resolved =
      options === undefined
        ? this.retryConfig
        : this.#withLogging(resolveRetryOptions({ ...this.#retryOptions, ...options }, owner));
    try {
      return await runWithRetry(fn, context, resolved, options?.signal);
    } catch (error) {
      this.#log("error", `${context} failed`, { context, error: describeError(error) });
      throw error;
    }
  }

  /** Registers a monitor for critical errors; returns the function that unregisters it. */
  onCritical(listener: CriticalErrorListener): () => void {
    requireFunction("listener", listener);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Logs the error with its context, notifies every monitor, then runs the shutdown given at construction
   * (once, however many critical errors arrive). Never throws: monitor and shutdown failures are logged.
   */
  async handleCriticalError(error: unknown, context = "critical error"): Promise<void> {
    const sequence = ++this.#criticalCount;
    this.#log("error", `Critical error: ${context}`, { context, sequence, error: describeError(error) });
    await this.#notifyMonitors(error, { context, sequence });
    if (this.#shutdown && !this.#shutdownDone) this.#shutdownDone = this.#runShutdown(error);
    await this.#shutdownDone;
  }

  async #notifyMonitors(error: unknown, info: CriticalErrorInfo): Promise<void> {
    if (this.#listeners.size === 0) return;
    const timer = new AbortController();
    const calls = [...this.#listeners].map(async (listener) => {
      try {
        await listener(error, info);
      } catch (monitorError) {
        this.#log("error", "Critical error monitor failed", {
          context: info.context,
          error: describeError(monitorError),
        });
      }
    });
    const timedOut = this.#clock.sleep(this.#monitorTimeoutMs, timer.signal).then(
      () => "timeout" as const,
      () => "done" as const,
    );
    const outcome = await Promise.race([Promise.all(calls).then(() => "done" as const), timedOut]);
    timer.abort();
    if (outcome === "timeout") {
      this.#log("warn", `Critical error monitors did not finish within ${this.#monitorTimeoutMs} ms; continuing`, {
        context: info.context,
      });
    }
  }

  async #runShutdown(reason: unknown): Promise<void> {
    try {
      await this.#shutdown!(reason);
    } catch (shutdownError) {
      this.#log("error", "Graceful shutdown after a critical error failed", { error: describeError(shutdownError) });
    }
  }

  #withLogging(resolved: ResolvedRetryOptions): ResolvedRetryOptions {
    const userOnRetry = resolved.onRetry;
    return {
      ...resolved,
      onRetry: (event: RetryEvent) => {
        this.#log(
          "warn",
          `${event.context} failed (attempt ${event.attempt} of ${resolved.maxRetries}), retrying in ${Math.round(event.delayMs)} ms`,
          {
            context: event.context,
            attempt: event.attempt,
            delayMs: event.delayMs,
            error: describeError(event.error),
          },
        );
        try {
          userOnRetry?.(event);
        } catch (error) {
          // an observer: its failure is logged and the retries go on
          this.#log("error", `${event.context}: onRetry threw; retrying anyway`, {
            context: event.context,
            error: describeError(error),
          });
        }
      },
    };
  }

  #log(level: "warn" | "error", message: string, fields: Record<string, unknown>): void {
    try {
      this.#logger[level](message, fields);
    } catch {
      // A broken logger must not turn error handling into a second failure.
    }
  }
}
