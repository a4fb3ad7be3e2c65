import type { LatencyStats } from "./types.ts";

/** Average over all samples, 95th percentile over the most recent `capacity` samples. */
export class LatencyTracker {
  readonly #recent: Float64Array;
  #count = 0;
  #sum = 0;

  constructor(capacity = 1024) {
    this.#recent = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.#recent[this.#count % this.#recent.length] = ms;
    this.#count++;
    this.#sum += ms;
  }

  stats(): LatencyStats {
    if (this.#count === 0) return { count: 0, avgMs: 0, p95Ms: 0 };
    const sample = this.#recent.slice(0, Math.min(this.#count, this.#recent.length)).sort();
    const p95 = sample[Math.min(sample.length - 1, Math.ceil(sample.length * 0.95) - 1)]!;
    return { count: this.#count, avgMs: this.#sum / this.#count, p95Ms: p95 };
  }
}
