import { describeValue } from "../config/describe-value.ts";
import { MetricsError } from "./errors.ts";
import { formatValue } from "./exposition.ts";
import { Metric, checkNumber, type Labels } from "./metric.ts";

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into cumulative `le` buckets, with `_sum` and `_count`. */
export class Histogram extends Metric<HistogramSeries> {
  readonly type = "histogram" as const;
  /** Upper bounds, ascending, without +Inf. */
  readonly buckets: readonly number[];
  /** Told every observation (the global-MeterProvider bridge); unset, observe() pays one check. */
  #listener: ((value: number, labels: Labels | undefined) => void) | undefined;

  constructor(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []) {
    super(name, help, labelNames, ["le"]);
    const bounds = checkBuckets(name, buckets);
    this.buckets = Object.freeze(bounds);
  }

  protected newSeries(): HistogramSeries {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(value: number, labels?: Labels): void {
    checkNumber(this.name, "observation", value);
    const series = this.seriesFor(labels);
    if (series === undefined) return; // a new label set beyond the series limit: dropped
    const buckets = this.buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= buckets[i]!) {
        series.counts[i]!++;
        break;
      }
    }
    series.sum += value;
    series.count++;
    if (this.#listener !== undefined) this.#listener(value, labels);
  }

  /**
   * Calls `listener` with every later observation (OpenTelemetry has no observable histogram, so the bridge records
   * each one into a real Histogram). One listener at a time; returns the function that removes it.
   */
  onObserve(listener: (value: number, labels: Labels | undefined) => void): () => void {
    if (this.#listener !== undefined)
      throw new MetricsError(`Histogram ${this.name} already has an observation listener`, this.name);
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  }

  /** Count and sum so far for these labels (zero for a label set beyond the series limit, which is not recorded). */
  get(labels?: Labels): { count: number; sum: number } {
    const series = this.seriesFor(labels, false);
    return { count: series?.count ?? 0, sum: series?.sum ?? 0 };
  }

  protected pointOf(series: HistogramSeries): { bucketCounts: number[]; sum: number; count: number } {
    const inBounds = series.counts.reduce((a, b) => a + b, 0);
    return { bucketCounts: [...series.counts, series.count - inBounds], sum: series.sum, count: series.count };
  }

  protected renderSeries(values: readonly string[], series: HistogramSeries): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += series.counts[i]!;
      lines.push(this.sample("_bucket", values, cumulative, ["le", formatValue(bound)]));
    });
    lines.push(this.sample("_bucket", values, series.count, ["le", "+Inf"]));
    lines.push(this.sample("_sum", values, series.sum));
    lines.push(this.sample("_count", values, series.count));
    return lines;
  }
}

/**
 * The upper bounds of `buckets` without the +Inf bucket: a dense, non-empty array of numbers, strictly increasing,
 * +Inf allowed only as the last entry (it is implied anyway). Anything else is a MetricsError naming the problem.
 */
export function checkBuckets(name: string, buckets: unknown): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0)
    throw new MetricsError(
      `Histogram ${name}: buckets must be a non-empty array of numbers, got ${describeValue(buckets)}`,
      name,
    );
  const last = buckets.length - 1;
  const bounds: number[] = [];
  for (let i = 0; i <= last; i++) {
    const bound: unknown = buckets[i];
    if (bound === Number.POSITIVE_INFINITY && i === last) break;
    if (typeof bound !== "number" || !Number.isFinite(bound))
      throw new MetricsError(
        `Histogram ${name}: bucket ${i} is ${i in buckets ? describeValue(bound) : "missing (a hole in the array)"}; ` +
          "expected a finite number (+Inf only as the last bucket)",
        name,
      );
    const previous = bounds[i - 1];
    if (previous !== undefined && bound <= previous)
      throw new MetricsError(
        `Histogram ${name}: buckets must be strictly increasing (${previous} then ${bound})`,
        name,
      );
    bounds.push(bound);
  }
  return bounds;
}
