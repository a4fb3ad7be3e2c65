/** An ordered set of callbacks; `add` returns its own removal. */
export class Listeners<A extends unknown[]> {
  readonly #callbacks = new Set<(...args: A) => unknown>();

  add(callback: (...args: A) => unknown): () => void {
    this.#callbacks.add(callback);
    return () => this.#callbacks.delete(callback);
  }

  /** Calls each in order, awaiting each; collects failures instead of stopping at the first. */
  async emit(...args: A): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const callback of [...this.#callbacks]) {
      try {
        await callback(...args);
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }
}
