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

/** Told when a write to a new label set is refused because the family has `limit` series already. */
export type SeriesDropListener = (metric: Metric<unknown>, limit: number) => void;

/**
 * What every metric shares: name, help, label names, and one series per label-value combination. A metric in a
 * registry holds at most the registry's series limit of label sets: a write to a further one is dropped (the registry
 * counts it); the series it has keep updating.
 */
export abstract class Metric<Series> {
  abstract readonly type: MetricType;
  readonly #series = new Map<string, { values: string[]; series: Series }>();
  #constant: readonly (readonly [string, string])[] = [];
  #unlabelled: { values: string[]; series: Series } | undefined;
  #seriesLimit = Number.POSITIVE_INFINITY;
  #onDrop: SeriesDropListener | undefined;

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

  /**
   * Caps the number of label sets (the registry calls this with its series limit). Series already held stay and keep
   * updating; a write to a new label set beyond the limit is dropped and `onDrop` is told.
   */
  limitSeries(limit: number, onDrop?: SeriesDropListener): void {
    this.#seriesLimit = limit;
    this.#onDrop = onDrop;
  }

  /** How many label sets this metric holds. */
  get seriesCount(): number {
    return this.#series.size;
  }

  /**
   * The series for these labels, created on first use; undefined when it would be a new one beyond the series limit
   * (`write`: a dropped write, reported to the limit's listener; else a read, which reports nothing).
   */
  protected seriesFor(labels: Labels | undefined, write = true): Series | undefined {
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
      if (this.#series.size >= this.#seriesLimit) {
        if (write) this.#onDrop?.(this as Metric<unknown>, this.#seriesLimit);
        return undefined;
      }
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
    if (this.#series.size === 0 && this.labelNames.length === 0) this.seriesFor(undefined, false);
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
    if (this.#series.size === 0 && this.labelNames.length === 0) this.seriesFor(undefined, false);
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
      const value: unknown = labels[label];
      if (typeof value === "string") return value;
      if (typeof value === "number") return String(value);
      if (value === undefined)
        throw new MetricsError(`Metric ${this.name}: missing value for label "${label}"`, this.name);
      throw new MetricsError(
        `Metric ${this.name}: label "${label}" must be a string or a number, got ${describeLabelValue(value)}`,
        this.name,
      );
    });
  }
}

function describeLabelValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `${Array.isArray(value) ? "an array" : "an object"} ${describeValue(value)}`;
  return `${typeof value} ${describeValue(value)}`;
}

export function checkNumber(metric: string, what: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new MetricsError(`Metric ${metric}: ${what} must be a number, got ${describeValue(value)}`, metric);
  }
  return value;
}
