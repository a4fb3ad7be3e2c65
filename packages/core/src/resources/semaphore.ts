/**
 * A counting semaphore with a FIFO wait queue. acquire() resolves to a release function that is safe to call twice.
 * Slots held elsewhere (reserve()) count against the limit too.
 */
export class Semaphore {
  readonly limit: number;
  #active = 0;
  #reserved = 0;
  #queue: { grant(): void; reject(e: unknown): void }[] = [];

  constructor(limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 1))
      throw new RangeError(`semaphore limit must be a whole number of at least 1, got ${limit}`);
    this.limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Sets how many slots are held outside this semaphore (leases): free slots are limit - active - reserved. */
  reserve(slots: number): void {
    this.#reserved = slots;
    this.#grantWaiters();
  }

  /** Takes a slot without waiting, or returns null when all are busy. */
  tryAcquire(): (() => void) | null {
    if (this.#active + this.#reserved >= this.limit) return null;
    this.#active++;
    return this.#releaser();
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const immediate = this.#queue.length === 0 ? this.tryAcquire() : null;
    if (immediate) return Promise.resolve(immediate);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#queue = this.#queue.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#releaser());
        },
        reject,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#active--;
      this.#grantWaiters();
    };
  }

  /** Free slots go to waiters in order, before any later arrival (acquire() queues while anyone waits). */
  #grantWaiters(): void {
    while (this.#queue.length > 0 && this.#active + this.#reserved < this.limit) {
      this.#active++;
      this.#queue.shift()!.grant();
    }
  }
}
