import { Metric, checkNumber, type Labels } from "./metric.ts";

/** A value that goes up and down. */
export class Gauge extends Metric<{ value: number }> {
  readonly type = "gauge" as const;

  protected newSeries(): { value: number } {
    return { value: 0 };
  }

  set(value: number, labels?: Labels): void {
    this.seriesFor(labels).value = checkNumber(this.name, "value", value);
  }

  inc(amount = 1, labels?: Labels): void {
    this.seriesFor(labels).value += checkNumber(this.name, "increment", amount);
  }

  dec(amount = 1, labels?: Labels): void {
    this.seriesFor(labels).value -= checkNumber(this.name, "decrement", amount);
  }

  get(labels?: Labels): number {
    return this.seriesFor(labels).value;
  }

  protected pointOf(series: { value: number }): { value: number } {
    return { value: series.value };
  }

  protected renderSeries(values: readonly string[], series: { value: number }): string[] {
    return [this.sample("", values, series.value)];
  }
}
