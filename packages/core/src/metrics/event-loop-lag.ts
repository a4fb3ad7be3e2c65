import type { Clock } from "@aral/platform";

export interface EventLoopLagSample {
  /** Delay of the latest tick beyond its schedule, in ms. */
  readonly lastMs: number;
  /** Largest delay since the previous takeMax(), in ms. */
  readonly maxMs: number;
}

/**
 * Event-loop lag measured the same way on every runtime: a timer asks the clock to wake it after
 * `intervalMs` and records how late it woke. (Node's monitorEventLoopDelay has no Deno/Bun equivalent
 * with the same meaning, so timer drift through the Platform's clock is the common measure.)
 */
export class EventLoopLagSampler {
  readonly intervalMs: number;
  readonly #clock: Clock;
  #lastMs = 0;
  #maxMs = 0;
  #loop: AbortController | undefined;

  constructor(clock: Clock, intervalMs = 500) {
    if (!(intervalMs > 0 && Number.isFinite(intervalMs)))
      throw new RangeError(`EventLoopLagSampler: intervalMs must be a positive number, got ${intervalMs}`);
    this.#clock = clock;
    this.intervalMs = intervalMs;
  }

  start(): void {
    if (this.#loop) return;
    const controller = (this.#loop = new AbortController());
    void this.#run(controller.signal);
  }

  stop(): void {
    this.#loop?.abort();
    this.#loop = undefined;
  }

  /** The latest lag, and the largest since the previous call (which resets it to the latest). */
  takeMax(): EventLoopLagSample {
    const sample = { lastMs: this.#lastMs, maxMs: Math.max(this.#maxMs, this.#lastMs) };
    this.#maxMs = this.#lastMs;
    return sample;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const due = this.#clock.now() + this.intervalMs;
      try {
        await this.#clock.sleep(this.intervalMs, signal);
      } catch {
        return;
      }
      const lag = Math.max(0, this.#clock.now() - due);
      this.#lastMs = lag;
      if (lag > this.#maxMs) this.#maxMs = lag;
    }
  }
}
