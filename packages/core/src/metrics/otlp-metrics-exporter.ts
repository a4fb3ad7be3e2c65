import { OtlpBackoff, type OtlpBackoffOptions } from "../tracing/otlp-backoff.ts";
import {
  DEFAULT_OTLP_TIMEOUT_MS,
  RetryableExportError,
  otlpJsonHeaders,
  postOtlpJson,
  toError,
} from "../tracing/otlp-http.ts";
import type { Counter } from "./counter.ts";
import type { Gauge } from "./gauge.ts";
import type { Histogram } from "./histogram.ts";
import { metricsExportRequest } from "./otlp-metrics-json.ts";
import type { OtlpMetricsSettings } from "./otlp-settings.ts";
import { processStartTime } from "./runtime-metrics.ts";

const SCOPE = { name: "@aral/core", version: "0.1.0" };
/** The final export at stop() waits at most this long: inside the runtime's 5 s bound, so its outcome is logged. */
const STOP_EXPORT_MS = 4_500;
/** The abort reason of a request stop() cut short: the final export carries newer values (the sums are cumulative). */
const SUPERSEDED = new Error("superseded by the export at stop");

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
 * and once more on `stop()` so the final counts are not lost. One request at a time, each aborted after `timeoutMs`
 * (default 10 s): an interval that comes while one is in flight is skipped, so a slow or hung collector neither piles
 * requests up nor stops the exports that follow. After a retryable failure (no connection, HTTP 429/502/503/504) the
 * intervals are skipped for a wait that doubles with each such failure in a row (`backoff`, as the trace exporter's),
 * or the answer's Retry-After when longer; nothing is held meanwhile: the next export carries the cumulative values.
 * stop() aborts a request still in flight and sends the final export at once, whatever the wait, bounded.
 */
export class OtlpMetricsExporter {
  readonly #settings: Omit<OtlpMetricsSettings, "exporter" | "timeoutMs">;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #deps: OtlpMetricsExporterDeps;
  readonly #backoff: OtlpBackoff;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight: Promise<void> | undefined;
  #controller: AbortController | undefined;
  /** Exports sent (answered or failed). */
  exports = 0;
  /** Intervals skipped: the previous export was still in flight, or a retryable failure's wait was not over. */
  skipped = 0;

  constructor(
    settings: Omit<OtlpMetricsSettings, "exporter" | "timeoutMs"> & {
      timeoutMs?: number;
      backoff?: OtlpBackoffOptions;
    },
    deps: OtlpMetricsExporterDeps,
  ) {
    this.#settings = settings;
    this.#timeoutMs = settings.timeoutMs ?? DEFAULT_OTLP_TIMEOUT_MS;
    this.#headers = otlpJsonHeaders(settings.headers);
    this.#deps = deps;
    this.#backoff = new OtlpBackoff(settings.backoff);
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#inFlight !== undefined || this.#backoff.remainingMs() > 0) this.skipped++;
      else void this.export();
    }, this.#settings.intervalMs);
    // Node and Bun: the interval alone does not keep the process alive (stop() sends the last export).
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Stops the interval, aborts a request still in flight and sends the metrics as they are now (at most 4.5 s). */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#controller?.abort(SUPERSEDED);
    await this.export(Math.min(this.#timeoutMs, STOP_EXPORT_MS));
  }

  /**
   * Reads the registry now and sends it after any export still in flight, whatever a backoff says (only the
   * intervals wait for it); `timeoutMs` bounds this request.
   */
  export(timeoutMs = this.#timeoutMs): Promise<void> {
    const { endpoint, resource } = this.#settings;
    const { fetch, onError } = this.#deps;
    let body: string;
    try {
      body = metricsExportRequest(resource, SCOPE, this.#deps.read(), processStartTime(), Date.now());
    } catch (error) {
      onError?.(toError(error));
      return this.#inFlight ?? Promise.resolve();
    }
    const previous = this.#inFlight;
    const run = (async () => {
      if (previous) await previous;
      const controller = (this.#controller = new AbortController());
      try {
        await postOtlpJson(
          fetch,
          { endpoint, headers: this.#headers, body, timeoutMs, what: "OTLP metrics export" },
          controller,
        );
        this.#backoff.succeeded();
      } catch (error) {
        if (controller.signal.reason === SUPERSEDED) return;
        if (!(error instanceof RetryableExportError)) onError?.(toError(error));
        else {
          const wait = this.#backoff.failed(error.retryAfterMs);
          const next = this.#timer === undefined ? "" : `; no export for ${Math.round(wait)} ms`;
          onError?.(new Error(`${error.message}${next}`, { cause: error }));
        }
      } finally {
        this.exports++;
        if (this.#controller === controller) this.#controller = undefined;
      }
    })();
    void run.then(() => {
      if (this.#inFlight === run) this.#inFlight = undefined;
    });
    this.#inFlight = run;
    return run;
  }
}
