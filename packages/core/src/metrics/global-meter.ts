import type { Attributes, BatchObservableResult, Meter, Observable } from "@opentelemetry/api";
import type { Counter } from "./counter.ts";
import type { OpenTelemetryApi } from "../opentelemetry-api.ts";
import type { Gauge } from "./gauge.ts";
import type { Histogram } from "./histogram.ts";
import type { Labels } from "./metric.ts";
import { otelNameAndUnit } from "./otel-naming.ts";
import type { MetricsRegistry } from "./registry.ts";

const SCOPE = { name: "@aral/core", version: "0.1.0" };

type AnyMetric = Counter | Gauge | Histogram;

/**
 * The registry's families as instruments of a Meter (the one the app's SDK registered with @opentelemetry/api):
 * - counters -> ObservableCounter, gauges -> ObservableGauge, read from the registry when the SDK collects (one batch
 *   callback refreshes the families once and observes them all), so counting costs nothing extra between collections;
 * - histograms -> a real Histogram (OpenTelemetry has no observable one) with the registry's buckets as advice
 *   (`explicitBucketBoundaries`), fed by the registry histogram's observation listener: every value observed from now
 *   on is recorded, so the SDK's count, sum and buckets match ours for everything observed since the bridge exists.
 * Every point carries its labels and the registry's constant labels (`agent`, `instance_id`) as attributes; names and
 * units are those of the OTLP exporter (counters without `_total`, units from the base-unit suffix).
 */
export class GlobalMeterBridge {
  readonly #meter: Meter;
  readonly #registry: MetricsRegistry;
  readonly #read: () => readonly AnyMetric[];
  readonly #observables = new Map<AnyMetric, Observable>();
  readonly #removers: Array<() => void> = [];
  /** The instruments the batch callback is registered with; undefined until the constructor binds it. */
  #bound: Observable[] | undefined;
  #rebindQueued = false;
  #closed = false;
  readonly #observe = (result: BatchObservableResult): void => {
    const constant = this.#registry.constantLabels();
    for (const metric of this.#read()) {
      const observable = this.#observables.get(metric);
      if (observable === undefined || metric.type === "histogram") continue;
      for (const point of metric.points())
        result.observe(observable, point.value ?? 0, { ...constant, ...point.labels });
    }
  };

  /** `read`: refreshes the families and hands every metric over (what a /metrics scrape renders). */
  constructor(meter: Meter, registry: MetricsRegistry, read: () => readonly AnyMetric[]) {
    this.#meter = meter;
    this.#registry = registry;
    this.#read = read;
    // Families registered later (a first scrape's process_* series) get their instruments as they appear.
    this.#removers.push(registry.onRegister((metric) => this.#add(metric)));
    for (const metric of read()) this.#add(metric);
    this.#rebind();
  }

  /**
   * Reads the registry now so families that appear only with a running session (leases, health checks) have their
   * instruments before the SDK's next collection; the runtime calls it once it is running. A family registered during
   * a collection is observed from the following one.
   */
  sync(): void {
    this.#read();
    if (this.#rebindQueued) this.#rebind();
  }

  /** Detaches from the registry and the meter (the instruments stay with the SDK, no longer observed or fed). */
  close(): void {
    this.#closed = true;
    for (const remove of this.#removers.splice(0)) remove();
    if (this.#bound !== undefined) this.#meter.removeBatchObservableCallback(this.#observe, this.#bound);
    this.#bound = undefined;
  }

  #add(metric: AnyMetric): void {
    if (this.#observables.has(metric) || this.#closed) return;
    const { name, unit } = otelNameAndUnit(metric);
    const options = { description: metric.help, unit };
    if (metric.type === "histogram") {
      const histogram = this.#meter.createHistogram(name, {
        ...options,
        advice: { explicitBucketBoundaries: [...metric.buckets] },
      });
      this.#removers.push(
        metric.onObserve((value, labels) =>
          histogram.record(value, labels === undefined ? this.#registry.constantLabels() : this.#attributes(labels)),
        ),
      );
      return;
    }
    this.#observables.set(
      metric,
      metric.type === "counter"
        ? this.#meter.createObservableCounter(name, options)
        : this.#meter.createObservableGauge(name, options),
    );
    // Not inside the SDK's collection (a family can be registered while the callback reads the registry).
    if (!this.#rebindQueued && this.#bound !== undefined) {
      this.#rebindQueued = true;
      queueMicrotask(() => {
        if (this.#rebindQueued) this.#rebind();
      });
    }
  }

  /** One batch callback over every observable instrument, re-registered when the set grows. */
  #rebind(): void {
    this.#rebindQueued = false;
    if (this.#closed) return;
    if (this.#bound !== undefined) this.#meter.removeBatchObservableCallback(this.#observe, this.#bound);
    this.#bound = [...this.#observables.values()];
    this.#meter.addBatchObservableCallback(this.#observe, this.#bound);
  }

  #attributes(labels: Labels): Attributes {
    const attributes: Attributes = { ...this.#registry.constantLabels() };
    for (const key of Object.keys(labels)) attributes[key] = String(labels[key]);
    return attributes;
  }
}

/**
 * Binds the registry to a Meter of the globally registered MeterProvider, on the API the runtime loaded (only when
 * the "global" exporter is asked for). `registered` is false when no SDK registered one (the API's no-op meter then
 * drops everything): the runtime warns about it.
 */
export function createGlobalMeterBridge(
  api: OpenTelemetryApi,
  registry: MetricsRegistry,
  read: () => readonly AnyMetric[],
): { bridge: GlobalMeterBridge; registered: boolean } {
  const meter = api.metrics.getMeter(SCOPE.name, SCOPE.version);
  return { bridge: new GlobalMeterBridge(meter, registry, read), registered: meter !== api.createNoopMeter() };
}
