/** A counting semaphore with a FIFO wait queue. acquire() resolves to a release function that is safe to call twice. */
export class Semaphore {
  readonly limit: number;
  #active = 0;
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

  /** Takes a slot without waiting, or returns null when all are busy. */
  tryAcquire(): (() => void) | null {
    if (this.#active >= this.limit) return null;
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
      const next = this.#queue.shift();
      // The slot passes straight to the next waiter, so a late arrival cannot jump the queue.
      if (next) next.grant();
      else this.#active--;
    };
  }
}
