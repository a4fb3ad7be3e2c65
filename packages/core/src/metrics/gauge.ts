import { Metric, checkNumber, type Labels } from "./metric.ts";

/** A value that goes up and down. */
export class Gauge extends Metric<{ value: number }> {
  readonly type = "gauge" as const;

  protected newSeries(): { value: number } {
    return { value: 0 };
  }

  set(value: number, labels?: Labels): void {
    checkNumber(this.name, "value", value);
    const series = this.seriesFor(labels);
    if (series !== undefined) series.value = value;
  }

  inc(amount = 1, labels?: Labels): void {
    checkNumber(this.name, "increment", amount);
    const series = this.seriesFor(labels);
    if (series !== undefined) series.value += amount;
  }

  dec(amount = 1, labels?: Labels): void {
    checkNumber(this.name, "decrement", amount);
    const series = this.seriesFor(labels);
    if (series !== undefined) series.value -= amount;
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
