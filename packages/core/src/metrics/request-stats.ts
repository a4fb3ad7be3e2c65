import { describeValue } from "../config/describe-value.ts";
import { systemClock, type Clock } from "@aral/platform";
import { MetricsError } from "./errors.ts";

export interface RequestStatsOptions {
  /** Sliding window the rates and averages cover. Default 60 000 ms. */
  windowMs?: number;
  /** Resolution of the window. Default 1000 ms. */
  slotMs?: number;
  clock?: Clock;
}

interface Slot {
  start: number;
  count: number;
  errors: number;
  latencySum: number;
}

/** Request rate, average latency and error rate over a sliding window, in bounded memory. */
export class RequestStats {
  readonly windowMs: number;
  readonly #slotMs: number;
  readonly #clock: Clock;
  readonly #slots: Slot[];
  readonly #createdAt: number;
  #total = 0;
  #totalErrors = 0;

  constructor(options: RequestStatsOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.#slotMs = options.slotMs ?? 1000;
    if (!Number.isFinite(this.#slotMs) || this.#slotMs <= 0)
      throw new MetricsError(`RequestStats: slotMs must be > 0, got ${this.#slotMs}`, "RequestStats");
    if (!Number.isFinite(this.windowMs) || this.windowMs < this.#slotMs) {
      throw new MetricsError(
        `RequestStats: windowMs must be a finite number >= slotMs (${this.#slotMs}), got ${this.windowMs}`,
        "RequestStats",
      );
    }
    this.#clock = options.clock ?? systemClock;
    this.#slots = Array.from({ length: Math.ceil(this.windowMs / this.#slotMs) }, () => ({
      start: Number.NEGATIVE_INFINITY,
      count: 0,
      errors: 0,
      latencySum: 0,
    }));
    this.#createdAt = this.#clock.now();
  }

  record(latencyMs: number, ok: boolean): void {
    if (typeof latencyMs !== "number" || !Number.isFinite(latencyMs) || latencyMs < 0) {
      throw new MetricsError(
        `RequestStats.record: latencyMs must be a finite number >= 0, got ${describeValue(latencyMs)}`,
        "RequestStats",
      );
    }
    const now = this.#clock.now();
    const start = Math.floor(now / this.#slotMs) * this.#slotMs;
    const slot = this.#slots[Math.floor(now / this.#slotMs) % this.#slots.length]!;
    if (slot.start !== start) Object.assign(slot, { start, count: 0, errors: 0, latencySum: 0 });
    slot.count++;
    slot.latencySum += latencyMs;
    this.#total++;
    if (!ok) {
      slot.errors++;
      this.#totalErrors++;
    }
  }

  /** Requests per second over the window (or over the time since creation, when shorter). */
  get requestsPerSecond(): number {
    const { count } = this.#window();
    const now = this.#clock.now();
    const span = Math.min(this.windowMs, Math.max(now - this.#createdAt, this.#slotMs));
    return count / (span / 1000);
  }

  /** Mean latency in ms of the requests in the window; 0 without requests. */
  get averageLatency(): number {
    const { count, latencySum } = this.#window();
    return count === 0 ? 0 : latencySum / count;
  }

  /** Failed / all requests in the window, 0..1; 0 without requests. */
  get errorRate(): number {
    const { count, errors } = this.#window();
    return count === 0 ? 0 : errors / count;
  }

  /** Since creation, not windowed. */
  get totals(): { requests: number; errors: number } {
    return { requests: this.#total, errors: this.#totalErrors };
  }

  #window(): { count: number; errors: number; latencySum: number } {
    const oldest = this.#clock.now() - this.windowMs;
    let count = 0;
    let errors = 0;
    let latencySum = 0;
    for (const slot of this.#slots) {
      if (slot.start <= oldest) continue; // slots are counted whole, so the window is windowMs minus up to one slot
      count += slot.count;
      errors += slot.errors;
      latencySum += slot.latencySum;
    }
    return { count, errors, latencySum };
  }
}
