import { describeValue } from "../config/describe-value.ts";
import { Counter } from "./counter.ts";
import { MetricsError } from "./errors.ts";
import { LABEL_NAME, METRIC_NAME } from "./exposition.ts";
import { Gauge } from "./gauge.ts";
import { Histogram } from "./histogram.ts";
import type { Metric } from "./metric.ts";

type AnyMetric = Counter | Gauge | Histogram;

/** A set of metrics rendered together in the Prometheus text format. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #collectors: Array<() => void> = [];
  #constant: readonly (readonly [string, string])[] = [];
  #constantLabels: Readonly<Record<string, string>> = Object.freeze({});
  readonly #registered: Array<(metric: AnyMetric) => void> = [];

  /**
   * Labels put on every sample (e.g. the agent's name and instance id). A metric may not declare one of
   * these names itself; the check happens here and at registration.
   */
  setConstantLabels(labels: Record<string, string>): void {
    const entries = Object.entries(labels);
    for (const [name, value] of entries) {
      if (!LABEL_NAME.test(name) || name.startsWith("__"))
        throw new MetricsError(`Invalid constant label name ${describeValue(name)}`, name);
      if (typeof value !== "string") throw new MetricsError(`Constant label ${name}: value must be a string`, name);
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
    const wanted = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
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
    const metric = create();
    this.#metrics.set(name, metric);
    for (const listener of this.#registered) listener(metric);
    return metric;
  }
}

function sameLabels(metric: Metric<unknown>, labelNames: readonly string[]): boolean {
  return metric.labelNames.length === labelNames.length && metric.labelNames.every((l, i) => l === labelNames[i]);
}
