import { MetricsError } from "./errors.ts";
import { Metric, checkNumber, type Labels } from "./metric.ts";

/** A value that only goes up (Prometheus convention: the name ends in `_total`). */
export class Counter extends Metric<{ value: number }> {
  readonly type = "counter" as const;

  protected newSeries(): { value: number } {
    return { value: 0 };
  }

  inc(amount?: number): void;
  inc(labels: Labels, amount?: number): void;
  inc(labelsOrAmount?: Labels | number, amount?: number): void {
    const [labels, by] =
      typeof labelsOrAmount === "object" ? [labelsOrAmount, amount ?? 1] : [undefined, labelsOrAmount ?? 1];
    checkNumber(this.name, "increment", by);
    if (by < 0) throw new MetricsError(`Counter ${this.name}: cannot decrease (increment ${by})`, this.name);
    if (by === Number.POSITIVE_INFINITY)
      throw new MetricsError(`Counter ${this.name}: increment must be finite, got Infinity`, this.name);
    const series = this.seriesFor(labels);
    if (series !== undefined) series.value += by;
  }

  /** The value for these labels (0 for a label set beyond the series limit, which is not recorded). */
  get(labels?: Labels): number {
    return this.seriesFor(labels, false)?.value ?? 0;
  }

  protected pointOf(series: { value: number }): { value: number } {
    return { value: series.value };
  }

  protected renderSeries(values: readonly string[], series: { value: number }): string[] {
    return [this.sample("", values, series.value)];
  }
}
