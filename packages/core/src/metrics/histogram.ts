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
    if (!Array.isArray(buckets) || buckets.length === 0)
      throw new MetricsError(`Histogram ${name}: buckets must be a non-empty array of numbers`, name);
    const bounds = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
    bounds.forEach((bound, i) => {
      if (typeof bound !== "number" || !Number.isFinite(bound))
        throw new MetricsError(`Histogram ${name}: bucket ${describeValue(bound)} is not a finite number`, name);
      if (i > 0 && bound <= bounds[i - 1]!)
        throw new MetricsError(
          `Histogram ${name}: buckets must be strictly increasing (${bounds[i - 1]} then ${bound})`,
          name,
        );
    });
    this.buckets = Object.freeze([...bounds]);
  }

  protected newSeries(): HistogramSeries {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(value: number, labels?: Labels): void {
    checkNumber(this.name, "observation", value);
    const series = this.seriesFor(labels);
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

  /** Count and sum so far for these labels. */
  get(labels?: Labels): { count: number; sum: number } {
    const series = this.seriesFor(labels);
    return { count: series.count, sum: series.sum };
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
