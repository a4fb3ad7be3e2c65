import { describeValue } from "../config/describe-value.ts";
import { Counter } from "./counter.ts";
import { MetricsError } from "./errors.ts";
import { LABEL_NAME, METRIC_NAME } from "./exposition.ts";
import { Gauge } from "./gauge.ts";
import { Histogram, checkBuckets } from "./histogram.ts";
import type { Metric } from "./metric.ts";

type AnyMetric = Counter | Gauge | Histogram;

/** The series limit per family when MetricsRegistryOptions.seriesLimit is not given. */
export const DEFAULT_SERIES_LIMIT = 10_000;

/** The counter of writes dropped by the series limit, registered on the first drop. */
export const SERIES_DROPPED_METRIC = "aral_metrics_series_dropped_total";

const SERIES_DROPPED_HELP =
  "Writes (inc, set, observe) dropped because they would have added a label set to a family already at the registry's series limit, by family.";

export interface MetricsRegistryOptions {
  /**
   * The most label sets (series) one family holds; default 10,000. A write (inc, set, observe) that would create a
   * further one is dropped and counted in `aral_metrics_series_dropped_total{family}`; series already held keep
   * updating. `Infinity` turns the bound off.
   */
  seriesLimit?: number;
  /**
   * Told once per family, on its first dropped write (default: console.warn). The runtime passes its logger's warn.
   */
  onSeriesLimit?: (family: string, limit: number) => void;
}

/** A set of metrics rendered together in the Prometheus text format. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  /** Every sample name (and OpenTelemetry/OpenMetrics family name) a family takes, to the family taking it. */
  readonly #names = new Map<string, AnyMetric>();
  #seriesLimit: number;
  readonly #onSeriesLimit: (family: string, limit: number) => void;
  /** Families already warned about (once each). */
  readonly #warned = new Set<string>();
  #dropped: Counter | undefined;
  #droppedUnavailable = false;
  readonly #onDrop = (metric: Metric<unknown>, limit: number): void => this.#drop(metric, limit);
  readonly #collectors: Array<() => void> = [];
  #constant: readonly (readonly [string, string])[] = [];
  #constantLabels: Readonly<Record<string, string>> = Object.freeze({});
  readonly #registered: Array<(metric: AnyMetric) => void> = [];

  constructor(options: MetricsRegistryOptions = {}) {
    if (options === null || typeof options !== "object")
      throw new MetricsError(`MetricsRegistry: options must be an object, got ${describeValue(options)}`, "options");
    this.#seriesLimit = checkSeriesLimit(options.seriesLimit ?? DEFAULT_SERIES_LIMIT);
    const { onSeriesLimit } = options;
    if (onSeriesLimit !== undefined && typeof onSeriesLimit !== "function")
      throw new MetricsError(
        `MetricsRegistry: onSeriesLimit must be a function, got ${describeValue(onSeriesLimit)}`,
        "onSeriesLimit",
      );
    this.#onSeriesLimit =
      onSeriesLimit ??
      ((family, limit) =>
        console.warn(
          `metrics: ${family} has ${limit} series (the registry's series limit); writes to new label sets are dropped and counted in ${SERIES_DROPPED_METRIC}{family="${family}"}`,
        ));
  }

  /** The most series one family holds (see MetricsRegistryOptions.seriesLimit). */
  get seriesLimit(): number {
    return this.#seriesLimit;
  }

  /** Changes the series limit of every family, registered or to come; a family above a lowered limit keeps its series. */
  setSeriesLimit(limit: number): void {
    this.#seriesLimit = checkSeriesLimit(limit);
    for (const metric of this.#metrics.values()) this.#limit(metric);
  }

  /**
   * Labels put on every sample (e.g. the agent's name and instance id). A metric may not declare one of
   * these names itself; the check happens here and at registration.
   */
  setConstantLabels(labels: Record<string, string>): void {
    if (labels === null || typeof labels !== "object" || Array.isArray(labels))
      throw new MetricsError(
        `Constant labels must be an object of label names to string values, got ${describeValue(labels)}`,
        "constant labels",
      );
    const entries = Object.entries(labels);
    for (const [name, value] of entries) {
      if (!LABEL_NAME.test(name) || name.startsWith("__"))
        throw new MetricsError(`Invalid constant label name ${describeValue(name)}`, name);
      if (typeof value !== "string")
        throw new MetricsError(`Constant label ${name}: value must be a string, got ${describeValue(value)}`, name);
      for (const metric of this.#metrics.values()) {
        if (metric.labelNames.includes(name))
          throw new MetricsError(`Constant label "${name}" clashes with a label of ${metric.name}`, metric.name);
      }
    }
    this.#constant = Object.freeze(entries.map(([name, value]) => Object.freeze([name, value] as const)));
    this.#constantLabels = Object.freeze(Object.fromEntries(entries));
  }

  /** The labels every sample carries (as last set by setConstantLabels()). */
  constantLabels(): Readonly<Record<string, string>> {
    return this.#constantLabels;
  }

  /** Calls `listener` with each metric registered from now on; returns the function that removes it. */
  onRegister(listener: (metric: AnyMetric) => void): () => void {
    this.#registered.push(listener);
    return () => {
      const index = this.#registered.indexOf(listener);
      if (index >= 0) this.#registered.splice(index, 1);
    };
  }

  /** Asking again for the same name, type, help and labels returns the existing metric. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#register(name, help, labelNames, "counter", () => new Counter(name, help, labelNames)) as Counter;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#register(name, help, labelNames, "gauge", () => new Gauge(name, help, labelNames)) as Gauge;
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    const existing = this.#register(
      name,
      help,
      labelNames,
      "histogram",
      () => new Histogram(name, help, buckets, labelNames),
    ) as Histogram;
    const wanted = checkBuckets(name, buckets);
    if (existing.buckets.length !== wanted.length || existing.buckets.some((b, i) => b !== wanted[i])) {
      throw new MetricsError(
        `Histogram ${name} is already registered with buckets [${existing.buckets.join(", ")}]`,
        name,
      );
    }
    return existing;
  }

  get(name: string): AnyMetric | undefined {
    return this.#metrics.get(name);
  }

  /** Runs before every render, to refresh gauges from their sources. */
  onCollect(collector: () => void): () => void {
    this.#collectors.push(collector);
    return () => {
      const index = this.#collectors.indexOf(collector);
      if (index >= 0) this.#collectors.splice(index, 1);
    };
  }

  /** Runs the collectors, then hands every metric over (the OpenTelemetry exporters' view of what render() writes). */
  collect(): readonly AnyMetric[] {
    for (const collect of this.#collectors) collect();
    return [...this.#metrics.values()];
  }

  render(): string {
    for (const collect of this.#collectors) collect();
    return [...this.#metrics.values()].map((metric) => metric.render(this.#constant)).join("");
  }

  #register(
    name: string,
    help: string,
    labelNames: readonly string[],
    type: AnyMetric["type"],
    create: () => AnyMetric,
  ): AnyMetric {
    if (typeof name !== "string" || !METRIC_NAME.test(name)) {
      throw new MetricsError(
        `Invalid metric name ${describeValue(name)}: expected [a-zA-Z_:][a-zA-Z0-9_:]*`,
        describeValue(name),
      );
    }
    if (typeof help !== "string")
      throw new MetricsError(`Metric ${name}: help must be a string, got ${describeValue(help)}`, name);
    if (!Array.isArray(labelNames))
      throw new MetricsError(
        `Metric ${name}: labelNames must be an array of label names, got ${describeValue(labelNames)}`,
        name,
      );
    const existing = this.#metrics.get(name);
    if (existing) {
      if (existing.type !== type || existing.help !== help || !sameLabels(existing, labelNames)) {
        throw new MetricsError(
          `Metric ${name} is already registered as a ${existing.type} with other help or labels`,
          name,
        );
      }
      return existing;
    }
    const clash = labelNames.find((label) => this.#constant.some(([name]) => name === label));
    if (clash)
      throw new MetricsError(`Metric ${name}: label "${clash}" is already a constant label of this registry`, name);
    const taken = takenNames(name, type);
    for (const sample of taken) {
      const other = this.#names.get(sample);
      if (other !== undefined)
        throw new MetricsError(
          `Metric ${name} (${type}) clashes with the ${other.type} ${other.name}: both would expose ${sample}`,
          name,
        );
    }
    const metric = create();
    this.#limit(metric);
    this.#metrics.set(name, metric);
    for (const sample of taken) this.#names.set(sample, metric);
    for (const listener of this.#registered) listener(metric);
    return metric;
  }

  #limit(metric: AnyMetric): void {
    // the drop counter has one series per family that dropped something: bounded by the families, never limited
    if (metric === this.#dropped) return;
    metric.limitSeries(this.#seriesLimit, this.#onDrop);
  }

  #drop(metric: Metric<unknown>, limit: number): void {
    if (!this.#warned.has(metric.name)) {
      this.#warned.add(metric.name);
      try {
        this.#onSeriesLimit(metric.name, limit);
      } catch {
        // a failing warning must not turn a dropped write into a thrown one
      }
    }
    if (this.#dropped === undefined) {
      if (this.#droppedUnavailable) return;
      try {
        this.#dropped = this.counter(SERIES_DROPPED_METRIC, SERIES_DROPPED_HELP, ["family"]);
      } catch {
        // the app took the name (or one it clashes with) for a metric of its own: nothing to count into
        this.#droppedUnavailable = true;
        return;
      }
      this.#dropped.limitSeries(Number.POSITIVE_INFINITY);
    }
    this.#dropped.inc({ family: metric.name });
  }
}

/**
 * The names a family takes: the sample names it renders (a histogram's _bucket, _sum and _count) and the family names
 * a counter has in OpenTelemetry (without `_total`) and OpenMetrics (with `_total`). Two families may not share one:
 * Prometheus would see one name with two types (promtool rejects it) or OTLP two instruments of one name.
 */
function takenNames(name: string, type: AnyMetric["type"]): string[] {
  switch (type) {
    case "histogram":
      return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
    case "counter": {
      const base = name.endsWith("_total") ? name.slice(0, -"_total".length) : name;
      return base === "" || base === name ? [name, `${name}_total`] : [name, base];
    }
    default:
      return [name];
  }
}

function checkSeriesLimit(limit: unknown): number {
  if (typeof limit !== "number" || !(limit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(limit) && limit >= 1)))
    throw new MetricsError(
      `MetricsRegistry: seriesLimit must be a whole number >= 1 (or Infinity), got ${describeValue(limit)}`,
      "seriesLimit",
    );
  return limit;
}

function sameLabels(metric: Metric<unknown>, labelNames: readonly string[]): boolean {
  return metric.labelNames.length === labelNames.length && metric.labelNames.every((l, i) => l === labelNames[i]);
}
