import { describeValue } from "../config/describe-value.ts";
import { MetricsError } from "./errors.ts";
import { LABEL_NAME, escapeHelp, formatLabels, formatValue } from "./exposition.ts";

export type Labels = Record<string, string | number>;
export type MetricType = "counter" | "gauge" | "histogram";

/** One series as data (what the OTLP metrics exporter reads): its labels and its value or buckets. */
export interface SeriesPoint {
  labels: Record<string, string>;
  /** Counter and gauge. */
  value?: number;
  /** Histogram: per-bucket (not cumulative) counts, one more than the bounds (the last is +Inf). */
  bucketCounts?: number[];
  sum?: number;
  count?: number;
}

/** What every metric shares: name, help, label names, and one series per label-value combination. */
export abstract class Metric<Series> {
  abstract readonly type: MetricType;
  readonly #series = new Map<string, { values: string[]; series: Series }>();
  #constant: readonly (readonly [string, string])[] = [];
  #unlabelled: { values: string[]; series: Series } | undefined;

  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[], reservedLabels: readonly string[] = []) {
    this.name = name;
    this.help = help;
    if (!Array.isArray(labelNames))
      throw new MetricsError(
        `Metric ${name}: labelNames must be an array of label names, got ${describeValue(labelNames)}`,
        name,
      );
    this.labelNames = Object.freeze([...labelNames]);
    const seen = new Set<string>();
    for (const label of labelNames) {
      if (typeof label !== "string" || !LABEL_NAME.test(label) || label.startsWith("__")) {
        throw new MetricsError(
          `Metric ${name}: invalid label name ${describeValue(label)} (expected [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")`,
          name,
        );
      }
      if (reservedLabels.includes(label))
        throw new MetricsError(`Metric ${name}: label name "${label}" is reserved for this metric type`, name);
      if (seen.has(label)) throw new MetricsError(`Metric ${name}: duplicate label name "${label}"`, name);
      seen.add(label);
    }
  }

  protected abstract newSeries(): Series;
  protected abstract renderSeries(labelValues: readonly string[], series: Series): string[];

  /** The series for these labels, created on first use. */
  protected seriesFor(labels: Labels | undefined): Series {
    // Hot path (a histogram observed per task): the unlabelled series without building a key.
    if (labels === undefined && this.labelNames.length === 0) {
      if (this.#unlabelled === undefined) {
        this.#unlabelled = this.#series.get("[]") ?? { values: [], series: this.newSeries() };
        this.#series.set("[]", this.#unlabelled);
      }
      return this.#unlabelled.series;
    }
    const values = this.#labelValues(labels ?? {});
    const key = JSON.stringify(values);
    let entry = this.#series.get(key);
    if (!entry) {
      entry = { values, series: this.newSeries() };
      this.#series.set(key, entry);
    }
    return entry.series;
  }

  /** Forgets every series (label combinations included). */
  reset(): void {
    this.#series.clear();
    this.#unlabelled = undefined;
  }

  /** Every series as data, the same ones render() writes. */
  points(): SeriesPoint[] {
    if (this.#series.size === 0 && this.labelNames.length === 0) this.seriesFor(undefined);
    const out: SeriesPoint[] = [];
    for (const { values, series } of this.#series.values()) {
      const labels: Record<string, string> = {};
      for (const [i, name] of this.labelNames.entries()) labels[name] = values[i] ?? "";
      out.push({ labels, ...this.pointOf(series) });
    }
    return out;
  }

  protected abstract pointOf(series: Series): Omit<SeriesPoint, "labels">;

  /** `constant`: labels put on every sample (the registry's constant labels). */
  render(constant: readonly (readonly [string, string])[] = []): string {
    this.#constant = constant;
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    if (this.#series.size === 0 && this.labelNames.length === 0) this.seriesFor(undefined);
    for (const { values, series } of this.#series.values()) lines.push(...this.renderSeries(values, series));
    return `${lines.join("\n")}\n`;
  }

  protected sample(suffix: string, labelValues: readonly string[], value: number, extra?: [string, string]): string {
    return `${this.name}${suffix}${formatLabels(this.labelNames, labelValues, extra, this.#constant)} ${formatValue(value)}`;
  }

  #labelValues(labels: Labels): string[] {
    for (const key of Object.keys(labels)) {
      if (!this.labelNames.includes(key)) {
        throw new MetricsError(
          `Metric ${this.name}: unknown label "${key}" (declared: ${this.labelNames.join(", ") || "none"})`,
          this.name,
        );
      }
    }
    return this.labelNames.map((label) => {
      const value = labels[label];
      if (value === undefined)
        throw new MetricsError(`Metric ${this.name}: missing value for label "${label}"`, this.name);
      return String(value);
    });
  }
}

export function checkNumber(metric: string, what: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new MetricsError(`Metric ${metric}: ${what} must be a number, got ${describeValue(value)}`, metric);
  }
  return value;
}
