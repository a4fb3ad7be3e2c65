import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";

/**
 * A token bucket of bytes. take() reserves tokens at once (the balance may go negative) and then waits
 * until the refill covers the debt, so concurrent takers are served in arrival order at the configured rate.
 */
export class TokenBucket {
  readonly bytesPerSecond: number;
  readonly capacity: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;

  constructor(bytesPerSecond: number, opts: { capacity?: number; clock?: Clock } = {}) {
    if (!(bytesPerSecond > 0 && Number.isFinite(bytesPerSecond)))
      throw new RangeError(`token bucket rate must be a positive number of bytes per second, got ${bytesPerSecond}`);
    this.bytesPerSecond = bytesPerSecond;
    // Default burst: 50 ms worth of traffic, at least 1 KiB, so small chunks are not delayed one by one.
    this.capacity = opts.capacity ?? Math.max(1024, Math.floor(bytesPerSecond / 20));
    this.#clock = opts.clock ?? systemClock;
    this.#tokens = this.capacity;
    this.#updatedAt = this.#clock.now();
  }

  /** Waits until `bytes` may pass. Aborting gives the reservation back and rejects with the signal's reason. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (bytes <= 0) return;
    signal?.throwIfAborted();
    this.#refill();
    this.#tokens -= bytes;
    if (this.#tokens >= 0) return;
    const waitMs = (-this.#tokens / this.bytesPerSecond) * 1000;
    try {
      await this.#clock.sleep(waitMs, signal);
    } catch (error) {
      this.#tokens += bytes;
      throw error;
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#updatedAt) / 1000) * this.bytesPerSecond);
    this.#updatedAt = now;
  }
}
