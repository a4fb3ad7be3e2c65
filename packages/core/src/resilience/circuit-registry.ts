import { CIRCUIT_BREAKER_OPTION_KEYS, CircuitBreaker } from "./circuit-breaker.ts";
import type { CircuitBreakerOptions, CircuitSnapshot } from "./circuit-breaker.ts";
import { ResilienceConfigError } from "./errors.ts";
import { describe, requireOptions } from "./validate.ts";

/** The name is get()'s first argument. */
const OPTION_KEYS = CIRCUIT_BREAKER_OPTION_KEYS.filter((key) => key !== "name");

export interface CircuitBreakerRegistryOptions {
  /**
   * Most breakers kept. Past it the least recently used closed breaker is forgotten (a later call starts it afresh);
   * open and half-open ones are always kept, so no dependency's protection is lost. Default: no limit.
   */
  maxBreakers?: number;
  /** Told the name of each breaker forgotten for maxBreakers. */
  onEvict?: (name: string) => void;
}

/** One CircuitBreaker per external dependency, by name. */
export class CircuitBreakerRegistry {
  /** In order of last use when maxBreakers is set: the least recently used first. */
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #maxBreakers: number;
  readonly #onEvict: ((name: string) => void) | undefined;

  constructor(options: CircuitBreakerRegistryOptions = {}) {
    const { maxBreakers = Number.POSITIVE_INFINITY, onEvict } = requireOptions(
      "CircuitBreakerRegistry",
      "options",
      options,
      ["maxBreakers", "onEvict"],
    );
    if (maxBreakers !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(maxBreakers) && maxBreakers >= 1)) {
      throw new ResilienceConfigError(
        "maxBreakers",
        `maxBreakers must be an integer >= 1, got ${describe(maxBreakers)}`,
      );
    }
    if (onEvict !== undefined && typeof onEvict !== "function") {
      throw new ResilienceConfigError("onEvict", `onEvict must be a function, got ${describe(onEvict)}`);
    }
    this.#maxBreakers = maxBreakers;
    this.#onEvict = onEvict;
  }

  /** The breaker for `name`, created with `options` the first time; later calls return the same breaker. */
  get(name: string, options: Omit<CircuitBreakerOptions, "name"> = {}): CircuitBreaker {
    if (typeof name !== "string" || name.trim() === "") {
      throw new ResilienceConfigError("name", `circuit breaker name must be a non-empty string, got ${describe(name)}`);
    }
    requireOptions("CircuitBreakerRegistry.get", "options", options, OPTION_KEYS);
    let breaker = this.#breakers.get(name);
    if (breaker) {
      if (this.#maxBreakers !== Number.POSITIVE_INFINITY) {
        this.#breakers.delete(name);
        this.#breakers.set(name, breaker);
      }
      return breaker;
    }
    breaker = new CircuitBreaker({ ...options, name });
    this.#breakers.set(name, breaker);
    if (this.#breakers.size > this.#maxBreakers) this.#evictLeastRecentlyUsedClosed(name);
    return breaker;
  }

  #evictLeastRecentlyUsedClosed(keep: string): void {
    for (const [name, breaker] of this.#breakers) {
      if (name === keep || breaker.state !== "closed") continue;
      this.#breakers.delete(name);
      this.#onEvict?.(name);
      return;
    }
  }

  /** Breakers kept now. */
  get size(): number {
    return this.#breakers.size;
  }

  has(name: string): boolean {
    return this.#breakers.has(name);
  }

  delete(name: string): boolean {
    return this.#breakers.delete(name);
  }

  /** Every breaker's current state, e.g. for a health or metrics endpoint. */
  snapshot(): CircuitSnapshot[] {
    return [...this.#breakers.values()].map((b) => b.snapshot());
  }
}

/** The process-wide registry. */
export const circuitBreakers = new CircuitBreakerRegistry();
