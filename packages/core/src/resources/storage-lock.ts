/**
 * A shared/exclusive (reader-writer) lock over one storage area, in arrival order.
 *
 * Single-file writes and removes take the shared side (they also serialise per file among themselves); the
 * operations that measure or change many files at once (a recursive remove, the age cleanup, a recount, the
 * removal of the whole ephemeral area) take the exclusive side. While an exclusive holder runs no single-file
 * change of the area is in flight, so what it measures on disk is what it changes in the count. A waiting
 * exclusive request holds back later shared ones, so a steady stream of writes cannot starve a cleanup.
 */
export class SharedExclusiveLock {
  #shared = 0;
  #exclusive = false;
  readonly #queue: { exclusive: boolean; grant: () => void }[] = [];

  /** Runs `op` alongside other shared holders, never alongside an exclusive one. */
  shared<T>(op: () => Promise<T>): Promise<T> {
    return this.#run(false, op);
  }

  /** Runs `op` alone: no shared or exclusive holder runs meanwhile. */
  exclusive<T>(op: () => Promise<T>): Promise<T> {
    return this.#run(true, op);
  }

  async #run<T>(exclusive: boolean, op: () => Promise<T>): Promise<T> {
    await this.#acquire(exclusive);
    try {
      return await op();
    } finally {
      if (exclusive) this.#exclusive = false;
      else this.#shared--;
      this.#drain();
    }
  }

  #acquire(exclusive: boolean): Promise<void> | undefined {
    if (this.#queue.length === 0 && !this.#exclusive && (!exclusive || this.#shared === 0)) {
      if (exclusive) this.#exclusive = true;
      else this.#shared++;
      return undefined;
    }
    return new Promise((grant) => this.#queue.push({ exclusive, grant }));
  }

  #drain(): void {
    while (this.#queue.length > 0 && !this.#exclusive) {
      const next = this.#queue[0]!;
      if (next.exclusive) {
        if (this.#shared > 0) return;
        this.#exclusive = true;
      } else {
        this.#shared++;
      }
      this.#queue.shift();
      next.grant();
    }
  }
}
