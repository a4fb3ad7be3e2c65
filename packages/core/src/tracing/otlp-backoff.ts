/**
 * When an OTLP exporter may send again after a retryable failure (the OTLP specification's guidance: exponential
 * backoff with jitter, and the collector's Retry-After when it gives one). Shared by the trace and metrics exporters
 * and loaded with them, like otlp-http.ts.
 */

export interface OtlpBackoffOptions {
  /** The wait after the first failure in a row (before jitter). Default 1000 ms. */
  initialMs?: number;
  /** The longest wait the doubling reaches (before jitter). Default 30000 ms. */
  maxMs?: number;
}

/** A Retry-After past this is taken as this: a collector's typo must not silence an exporter for days. */
const RETRY_AFTER_MAX_MS = 5 * 60_000;

/**
 * Consecutive retryable failures double the wait (initialMs, 2x, 4x ... up to maxMs), each drawn at random from the
 * upper half of that step ("equal jitter": exporters that failed together do not retry together, and the wait
 * never shrinks to nothing); a Retry-After longer than that is waited instead. A success starts over.
 */
export class OtlpBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #failures = 0;
  /** performance.now() before which no request should go (monotonic: a wall-clock step cannot stretch a wait). */
  #until = 0;

  constructor(options: OtlpBackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 1_000;
    this.#maxMs = Math.max(options.maxMs ?? 30_000, this.#initialMs);
  }

  /** Records a retryable failure; returns the wait before the next request, in ms. */
  failed(retryAfterMs?: number): number {
    this.#failures++;
    const step = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures - 1, 30));
    let wait = step / 2 + Math.random() * (step / 2);
    if (retryAfterMs !== undefined) wait = Math.max(wait, Math.min(retryAfterMs, RETRY_AFTER_MAX_MS));
    this.#until = performance.now() + wait;
    return wait;
  }

  /** An answered request: the next failure waits initialMs again. */
  succeeded(): void {
    this.#failures = 0;
    this.#until = 0;
  }

  /** Lets the next request go now (a flush or the export at stop); the failures so far still count. */
  skipWait(): void {
    this.#until = 0;
  }

  /** How long until a request may go; 0 when it may go now. */
  remainingMs(): number {
    return Math.max(0, this.#until - performance.now());
  }
}
