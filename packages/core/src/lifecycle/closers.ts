import { InvalidArgumentError } from "../invalid-argument.ts";
export type Closable = { close(): unknown } | { [Symbol.asyncDispose](): PromiseLike<void> } | (() => unknown);

export interface CloseOutcome {
  closed: string[];
  failed: { name: string; error: unknown }[];
  /** Still closing when the deadline passed: left behind. */
  abandoned: string[];
}

/**
 * What one run of the runtime acquired (servers, connections, timers, user resources), closed in
 * reverse order of acquisition. Anything added after closeAll() began is closed at once, so a start
 * that times out cannot leak what it acquires late.
 */
export class CloseRegistry {
  readonly #items: { name: string; close: () => unknown }[] = [];
  #closed = false;

  add(name: string, closable: Closable): void {
    const close = toCloseFunction(closable);
    if (this.#closed) {
      void Promise.resolve()
        .then(close)
        .catch(() => {});
      return;
    }
    this.#items.push({ name, close });
  }

  /** Closes everything, newest first; each close races the abort signal (forced stop / timeout). */
  async closeAll(signal?: AbortSignal): Promise<CloseOutcome> {
    this.#closed = true;
    const outcome: CloseOutcome = { closed: [], failed: [], abandoned: [] };
    const items = this.#items.splice(0).reverse();
    for (const item of items) {
      try {
        // Past the deadline each remaining closer still runs, but only one that finishes at once counts as closed.
        const closing = Promise.resolve().then(item.close);
        const result = signal?.aborted ? await raceTick(closing) : await raceAbort(closing, signal);
        if (result === ABORTED) outcome.abandoned.push(item.name);
        else outcome.closed.push(item.name);
      } catch (error) {
        outcome.failed.push({ name: item.name, error });
      }
    }
    return outcome;
  }
}

const ABORTED = Symbol("aborted");

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T | typeof ABORTED> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(ABORTED);
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Resolves ABORTED unless `promise` settles before the next macrotask. */
function raceTick<T>(promise: Promise<T>): Promise<T | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(ABORTED), 0);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

function toCloseFunction(closable: Closable): () => unknown {
  if (typeof closable === "function") return closable;
  if (closable !== null && typeof closable === "object") {
    if ("close" in closable && typeof closable.close === "function") return () => closable.close();
    if (Symbol.asyncDispose in closable) return () => closable[Symbol.asyncDispose]();
  }
  throw new InvalidArgumentError(
    "register() closable",
    "a function, an object with close(), or an async-disposable object",
    closable,
  );
}
