import type { Counter } from "./counter.ts";
import type { Gauge } from "./gauge.ts";
import type { Histogram } from "./histogram.ts";
import { metricsExportRequest } from "./otlp-metrics-json.ts";
import type { OtlpMetricsSettings } from "./otlp-settings.ts";
import { processStartTime } from "./runtime-metrics.ts";

const SCOPE = { name: "@aral/core", version: "0.1.0" };

export interface OtlpMetricsExporterDeps {
  /** Refreshes the families and hands over every metric (what a /metrics scrape would render). */
  read: () => readonly (Counter | Gauge | Histogram)[];
  /** The Platform's fetch (core never reaches for a global one). */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Told about every failed export (the runtime logs it at warn). */
  onError?: (error: Error) => void;
}

/**
 * Pushes the runtime's metric families to an OTLP/HTTP receiver (JSON encoding) every `intervalMs` while started,
 * and once more on `stop()` so the final counts are not lost. One request at a time: a slow collector delays the
 * next export rather than piling requests up.
 */
export class OtlpMetricsExporter {
  readonly #settings: Omit<OtlpMetricsSettings, "exporter">;
  readonly #deps: OtlpMetricsExporterDeps;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  /** Exports sent (answered or failed). */
  exports = 0;

  constructor(settings: Omit<OtlpMetricsSettings, "exporter">, deps: OtlpMetricsExporterDeps) {
    this.#settings = settings;
    this.#deps = deps;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        void this.export().finally(() => {
          if (this.#timer !== undefined) tick();
        });
      }, this.#settings.intervalMs);
      // Node and Bun: a pending export alone does not keep the process alive (stop() sends the last one).
      (this.#timer as { unref?: () => void }).unref?.();
    };
    tick();
  }

  /** Stops the timer and sends the metrics as they are now. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.export();
  }

  /** Reads the registry now and sends it after any export still in flight. */
  export(): Promise<void> {
    const { endpoint, headers, resource } = this.#settings;
    const { fetch, onError } = this.#deps;
    let body: string;
    try {
      body = metricsExportRequest(resource, SCOPE, this.#deps.read(), processStartTime(), Date.now());
    } catch (error) {
      onError?.(error instanceof Error ? error : new Error(String(error)));
      return this.#inFlight;
    }
    this.#inFlight = this.#inFlight.then(async () => {
      try {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body,
        });
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`OTLP metrics export to ${endpoint} answered HTTP ${response.status}`);
      } catch (error) {
        onError?.(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.exports++;
      }
    });
    return this.#inFlight;
  }
}
