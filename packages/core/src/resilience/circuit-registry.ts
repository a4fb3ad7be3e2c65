import { CIRCUIT_BREAKER_OPTION_KEYS, CircuitBreaker } from "./circuit-breaker.ts";
import type { CircuitBreakerOptions, CircuitSnapshot } from "./circuit-breaker.ts";
import { ResilienceConfigError } from "./errors.ts";
import { describe, requireOptions } from "./validate.ts";

/** The name is get()'s first argument. */
const OPTION_KEYS = CIRCUIT_BREAKER_OPTION_KEYS.filter((key) => key !== "name");

/** One CircuitBreaker per external dependency, by name. */
export class CircuitBreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>();

  /** The breaker for `name`, created with `options` the first time; later calls return the same breaker. */
  get(name: string, options: Omit<CircuitBreakerOptions, "name"> = {}): CircuitBreaker {
    if (typeof name !== "string" || name.trim() === "") {
      throw new ResilienceConfigError("name", `circuit breaker name must be a non-empty string, got ${describe(name)}`);
    }
    requireOptions("CircuitBreakerRegistry.get", "options", options, OPTION_KEYS);
    let breaker = this.#breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker({ ...options, name });
      this.#breakers.set(name, breaker);
    }
    return breaker;
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
