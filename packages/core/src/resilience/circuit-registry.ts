import { CircuitBreaker } from "./circuit-breaker.ts";
import type { CircuitBreakerOptions, CircuitSnapshot } from "./circuit-breaker.ts";
import { ResilienceConfigError } from "./errors.ts";
import { describe } from "./validate.ts";

/** One CircuitBreaker per external dependency, by name. */
export class CircuitBreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>();

  /** The breaker for `name`, created with `options` the first time; later calls return the same breaker. */
  get(name: string, options: Omit<CircuitBreakerOptions, "name"> = {}): CircuitBreaker {
    if (typeof name !== "string" || name.trim() === "") {
      throw new ResilienceConfigError("name", `circuit breaker name must be a non-empty string, got ${describe(name)}`);
    }
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
