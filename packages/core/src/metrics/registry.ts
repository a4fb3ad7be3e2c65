import { Counter } from "./counter.ts";
import { MetricsError } from "./errors.ts";
import { METRIC_NAME } from "./exposition.ts";
import { Gauge } from "./gauge.ts";
import { Histogram } from "./histogram.ts";
import type { Metric } from "./metric.ts";

type AnyMetric = Counter | Gauge | Histogram;

/** A set of metrics rendered together in the Prometheus text format. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #collectors: Array<() => void> = [];

  /** Asking again for the same name, type, help and labels returns the existing metric. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#register(name, help, labelNames, "counter", () => new Counter(name, help, labelNames)) as Counter;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#register(name, help, labelNames, "gauge", () => new Gauge(name, help, labelNames)) as Gauge;
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    const existing = this.#register(name, help, labelNames, "histogram", () => new Histogram(name, help, buckets, labelNames)) as Histogram;
    const wanted = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
    if (existing.buckets.length !== wanted.length || existing.buckets.some((b, i) => b !== wanted[i])) {
      throw new MetricsError(`Histogram ${name} is already registered with buckets [${existing.buckets.join(", ")}]`, name);
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

  render(): string {
    for (const collect of this.#collectors) collect();
    return [...this.#metrics.values()].map((metric) => metric.render()).join("");
  }

  #register(name: string, help: string, labelNames: readonly string[], type: AnyMetric["type"], create: () => AnyMetric): AnyMetric {
    if (typeof name !== "string" || !METRIC_NAME.test(name)) {
      throw new MetricsError(`Invalid metric name ${JSON.stringify(name)}: expected [a-zA-Z_:][a-zA-Z0-9_:]*`, String(name));
    }
    if (typeof help !== "string") throw new MetricsError(`Metric ${name}: help must be a string`, name);
    const existing = this.#metrics.get(name);
    if (existing) {
      if (existing.type !== type || existing.help !== help || !sameLabels(existing, labelNames)) {
        throw new MetricsError(`Metric ${name} is already registered as a ${existing.type} with other help or labels`, name);
      }
      return existing;
    }
    const metric = create();
    this.#metrics.set(name, metric);
    return metric;
  }
}

function sameLabels(metric: Metric<unknown>, labelNames: readonly string[]): boolean {
  return metric.labelNames.length === labelNames.length && metric.labelNames.every((l, i) => l === labelNames[i]);
}
