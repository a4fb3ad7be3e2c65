/** Counts calls and failures over the last `windowMs`, in ten buckets so memory stays constant under load. */
export class RollingWindow {
  static readonly BUCKETS = 10;
  readonly #bucketMs: number;
  readonly #calls = new Array<number>(RollingWindow.BUCKETS).fill(0);
  readonly #failures = new Array<number>(RollingWindow.BUCKETS).fill(0);
  /** Index (time / bucketMs) of the newest bucket written. */
  #newest = -Infinity;

  constructor(windowMs: number) {
    this.#bucketMs = windowMs / RollingWindow.BUCKETS;
  }

  record(now: number, failed: boolean): void {
    const slot = this.#advance(now);
    this.#calls[slot]!++;
    if (failed) this.#failures[slot]!++;
  }

  totals(now: number): { calls: number; failures: number } {
    this.#advance(now);
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < RollingWindow.BUCKETS; i++) {
      calls += this.#calls[i]!;
      failures += this.#failures[i]!;
    }
    return { calls, failures };
  }

  reset(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
  }

  /** Zeroes buckets that fell out of the window; returns the slot for `now`. */
  #advance(now: number): number {
    const index = Math.floor(now / this.#bucketMs);
    if (index > this.#newest) {
      const stale = Math.min(RollingWindow.BUCKETS, index - this.#newest);
      for (let k = 0; k < stale; k++) {
        const slot = (((index - k) % RollingWindow.BUCKETS) + RollingWindow.BUCKETS) % RollingWindow.BUCKETS;
        this.#calls[slot] = 0;
        this.#failures[slot] = 0;
      }
      this.#newest = index;
    }
    // A clock that went backwards writes into the newest bucket rather than resurrecting an old one.
    const effective = Math.min(index, this.#newest);
    return ((effective % RollingWindow.BUCKETS) + RollingWindow.BUCKETS) % RollingWindow.BUCKETS;
  }
}
