/** A bad option given to a resilience building block (retry, breaker, timeout, policy). */
export class ResilienceConfigError extends Error {
  override readonly name = "ResilienceConfigError";
  /** The option that was wrong, e.g. "maxRetries". */
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.option = option;
  }
}

/** Every retry attempt failed (or the time budget ran out): carries the last error as `cause` and all of them. */
export class RuntimeError extends Error {
  override readonly name = "RuntimeError";
  /** What was being attempted, as passed to executeWithRetry. */
  readonly context: string;
  /** Each attempt's error, in order; the last one is also `cause`. */
  readonly attempts: unknown[];
  /** "exhausted": maxRetries calls failed; "budget": the total time budget ran out first. */
  readonly reason: "exhausted" | "budget";

  constructor(
    message: string,
    details: { context: string; cause?: unknown; attempts?: unknown[]; reason?: "exhausted" | "budget" },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.context = details.context;
    this.attempts = details.attempts ?? [];
    this.reason = details.reason ?? "exhausted";
  }
}

/** Throw (or wrap an error in) this to make executeWithRetry fail at once instead of retrying. */
export class NonRetryableError extends Error {
  override readonly name: string = "NonRetryableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A call was refused because the named circuit is open (or its half-open probes are all taken). */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
  /** The breaker's name (the dependency it protects). */
  readonly circuit: string;
  /** Milliseconds until the circuit lets a probe through (0 while half-open with all probes busy). */
  readonly retryAfterMs: number;
  /** When a probe will be let through, as epoch milliseconds (Date.now() based). */
  readonly retryAt: number;

  constructor(circuit: string, retryAfterMs: number) {
    const after = Math.max(0, Math.ceil(retryAfterMs));
    const retryAt = Date.now() + after;
    super(
      after > 0
        ? `Circuit '${circuit}' is open; calls fail fast until ${new Date(retryAt).toISOString()} (in ${after} ms)`
        : `Circuit '${circuit}' is half-open and all its probe slots are busy; retry shortly`,
    );
    this.circuit = circuit;
    this.retryAfterMs = after;
    this.retryAt = retryAt;
  }
}

/** A call took longer than its timeout; its signal was aborted with this error. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(timeoutMs: number, what = "Operation") {
    super(`${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}
