import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import { CircuitOpenError, ResilienceConfigError } from "./errors.ts";
import { NEVER_ABORTED } from "./never-aborted.ts";
import type { Policy } from "./policy.ts";
import { RollingWindow } from "./rolling-window.ts";
import {
  requireClock,
  badCall,
  describe,
  requireFunction,
  requireInteger,
  requireNonNegative,
  requireOptions,
  requirePositive,
} from "./validate.ts";

export type CircuitState = "closed" | "open" | "half-open";

export interface FailureRatioOptions {
  /** Open when failures / calls in the window reach this (0 < ratio <= 1). */
  ratio: number;
  /** Length of the sliding window. */
  windowMs: number;
  /** Fewer calls than this in the window never open the circuit. Default 10. */
  minimumCalls?: number;
}

export interface CircuitBreakerOptions {
  /** The dependency this breaker protects; appears in errors and events. */
  name: string;
  /** Consecutive failures that open the circuit. Integer >= 1, default 5 (the seed's config). */
  threshold?: number;
  /** How long the circuit stays open before letting probes through. Default 60000 ms (the seed's config). */
  timeout?: number;
  /** Probes let through while half-open; all must succeed to close, any failure reopens. Default 1. */
  halfOpenProbes?: number;
  /** Also open when the failure ratio over a sliding window is reached. */
  failureRatio?: FailureRatioOptions;
  /**
   * Which errors count against the dependency (default: all). Others count as a success: it did answer. One that
   * throws is reported (console.error) and the error counts as a failure.
   */
  isFailure?: (error: unknown) => boolean;
  clock?: Clock;
}

/** Every option key (`satisfies` keeps the lists in step with the interfaces); any other key is refused. */
export const CIRCUIT_BREAKER_OPTION_KEYS: readonly string[] = Object.keys({
  name: true,
  threshold: true,
  timeout: true,
  halfOpenProbes: true,
  failureRatio: true,
  isFailure: true,
  clock: true,
} satisfies Record<keyof CircuitBreakerOptions, true>);

const FAILURE_RATIO_KEYS = Object.keys({ ratio: true, windowMs: true, minimumCalls: true } satisfies Record<
  keyof FailureRatioOptions,
  true
>);

export interface CircuitStateChange {
  name: string;
  from: CircuitState;
  to: CircuitState;
  /** Increases on every transition; results of calls started in an older generation are ignored. */
  generation: number;
  reason: string;
  /** Clock time of the transition. */
  at: number;
}

export interface CircuitSnapshot {
  name: string;
  state: CircuitState;
  generation: number;
  consecutiveFailures: number;
  /** While open: ms until probes are let through; otherwise 0. */
  retryAfterMs: number;
}

/**
 * closed -> open after `threshold` consecutive failures (or the failure ratio) -> half-open once `timeout` has passed
 * (derived from the clock when next asked: no timer) -> closed when `halfOpenProbes` probes succeed, open on any failure.
 */
export class CircuitBreaker implements Policy {
  readonly name: string;
  readonly threshold: number;
  readonly timeout: number;
  readonly halfOpenProbes: number;
  readonly #clock: Clock;
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  readonly #ratio: Required<FailureRatioOptions> | undefined;
  readonly #window: RollingWindow | undefined;
  readonly #listeners = new Set<(change: CircuitStateChange) => void>();
  #state: CircuitState = "closed";
  #generation = 0;
  #openedAt = 0;
  #consecutiveFailures = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;

  constructor(options: CircuitBreakerOptions) {
    if (options === null || typeof options !== "object") {
      throw new ResilienceConfigError(
        "options",
        `CircuitBreaker needs an options object with a name, got ${describe(options)}`,
      );
    }
    requireOptions("CircuitBreaker", "options", options, CIRCUIT_BREAKER_OPTION_KEYS);
    if (typeof options.name !== "string" || options.name.trim() === "") {
      throw new ResilienceConfigError(
        "name",
        `CircuitBreaker name must be a non-empty string, got ${describe(options.name)}`,
      );
    }
    this.name = options.name;
    this.threshold = requireInteger("threshold", options.threshold ?? 5, 1, Number.MAX_SAFE_INTEGER);
    this.timeout = requireNonNegative("timeout", options.timeout ?? 60_000);
    this.halfOpenProbes = requireInteger("halfOpenProbes", options.halfOpenProbes ?? 1, 1, Number.MAX_SAFE_INTEGER);
    if (options.isFailure !== undefined) requireFunction("isFailure", options.isFailure);
    this.#isFailure = options.isFailure;
    requireClock("clock", options.clock);
    this.#clock = options.clock ?? systemClock;
    if (options.failureRatio !== undefined) {
      const {
        ratio,
        windowMs,
        minimumCalls = 10,
      } = requireOptions("CircuitBreaker", "failureRatio", options.failureRatio, FAILURE_RATIO_KEYS);
      if (typeof ratio !== "number" || !(ratio > 0 && ratio <= 1)) {
        throw new ResilienceConfigError(
          "failureRatio.ratio",
          `failureRatio.ratio must be a number in (0, 1], got ${describe(ratio)}`,
        );
      }
      requirePositive("failureRatio.windowMs", windowMs);
      requireInteger("failureRatio.minimumCalls", minimumCalls, 1, Number.MAX_SAFE_INTEGER);
      this.#ratio = { ratio, windowMs, minimumCalls };
      this.#window = new RollingWindow(windowMs);
    }
  }

  /** The state now (an open circuit whose timeout has passed reports, and becomes, half-open). */
  get state(): CircuitState {
    return this.#current();
  }

  get generation(): number {
    this.#current();
    return this.#generation;
  }

  snapshot(): CircuitSnapshot {
    const state = this.#current();
    return {
      name: this.name,
      state,
      generation: this.#generation,
      consecutiveFailures: this.#consecutiveFailures,
      retryAfterMs: state === "open" ? Math.max(0, this.#openedAt + this.timeout - this.#clock.now()) : 0,
    };
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: (change: CircuitStateChange) => void): () => void {
    requireFunction("listener", listener);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Runs `fn` through the breaker: fails fast with CircuitOpenError while open. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // A programming error says nothing about the dependency: refused before it can count as a failure.
    const bad = badCall(fn, signal);
    if (bad) return bad;
    const state = this.#current();
    if (state === "open") throw new CircuitOpenError(this.name, this.#openedAt + this.timeout - this.#clock.now());
    const probe = state === "half-open";
    if (probe) {
      if (this.#probesInFlight >= this.halfOpenProbes) throw new CircuitOpenError(this.name, 0);
      this.#probesInFlight++;
    }
    const generation = this.#generation;
    let value: T;
    try {
      value = await fn(signal ?? NEVER_ABORTED);
    } catch (error) {
      this.#onFailure(generation, probe, error, signal);
      throw error;
    }
    this.#onSuccess(generation, probe);
    return value;
  }

  /** Forces the circuit closed (e.g. an operator override), forgetting counted failures. */
  reset(): void {
    this.#current();
    this.#transition("closed", "reset");
  }

  /** Forces the circuit open now (e.g. a health check saw the dependency down). */
  trip(reason = "tripped"): void {
    this.#current();
    this.#transition("open", reason);
  }

  #current(): CircuitState {
    if (this.#state === "open" && this.#clock.now() - this.#openedAt >= this.timeout) {
      this.#transition("half-open", `open for ${this.timeout} ms`);
    }
    return this.#state;
  }

  #onSuccess(generation: number, probe: boolean): void {
    if (generation !== this.#generation) return;
    if (probe) {
      this.#probesInFlight--;
      if (++this.#probeSuccesses >= this.halfOpenProbes)
        this.#transition("closed", `${this.#probeSuccesses} probe(s) succeeded`);
      return;
    }
    this.#consecutiveFailures = 0;
    this.#window?.record(this.#clock.now(), false);
  }

  #onFailure(generation: number, probe: boolean, error: unknown, signal: AbortSignal | undefined): void {
    if (generation !== this.#generation) return;
    // The caller gave up: says nothing about the dependency. Free the probe slot without a verdict.
    if (signal?.aborted) {
      if (probe) this.#probesInFlight--;
      return;
    }
    if (this.#isFailure && !this.#counts(error)) {
      this.#onSuccess(generation, probe);
      return;
    }
    if (probe) {
      this.#transition("open", "probe failed");
      return;
    }
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.threshold) {
      this.#transition("open", `${this.#consecutiveFailures} consecutive failures`);
      return;
    }
    if (this.#window && this.#ratio) {
      const now = this.#clock.now();
      this.#window.record(now, true);
      const { calls, failures } = this.#window.totals(now);
      if (calls >= this.#ratio.minimumCalls && failures / calls >= this.#ratio.ratio) {
        this.#transition("open", `failure ratio ${failures}/${calls} over ${this.#ratio.windowMs} ms`);
      }
    }
  }

  /**
   * isFailure's verdict. One that throws is reported and the error counts as a failure: escaping, its throw would
   * replace the caller's error and leave a half-open probe slot taken for good (every later call refused).
   */
  #counts(error: unknown): boolean {
    try {
      return this.#isFailure!(error);
    } catch (thrown) {
      console.error(`CircuitBreaker '${this.name}' isFailure threw; the error counts as a failure`, thrown);
      return true;
    }
  }

  #transition(to: CircuitState, reason: string): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    const at = this.#clock.now();
    if (to === "open") this.#openedAt = at;
    if (to === "closed") {
      this.#consecutiveFailures = 0;
      this.#window?.reset();
    }
    if (this.#listeners.size === 0) return;
    const change: CircuitStateChange = { name: this.name, from, to, generation: this.#generation, reason, at };
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        // The state is already consistent; a faulty listener must not change the caller's outcome.
        console.error(`CircuitBreaker '${this.name}' state-change listener threw`, error);
      }
    }
  }
}
