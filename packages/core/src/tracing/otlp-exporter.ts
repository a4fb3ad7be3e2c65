import { DEFAULT_OTLP_TIMEOUT_MS, otlpJsonHeaders, postOtlpJson, toError } from "./otlp-http.ts";
import { exportRequest, type SpanRecord } from "./otlp-json.ts";

export interface OtlpExporterOptions {
  endpoint: string;
  headers?: Record<string, string>;
  resource: Record<string, string>;
  scope: { name: string; version: string };
  /** The Platform's fetch (core never reaches for a global one). */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Spans per request: one is sent once this many are waiting. Default 256. */
  batchSize?: number;
  /** Export what is waiting after this long. Default 1000 ms. */
  delayMs?: number;
  /**
   * Spans held while the collector is slow or down, waiting and in the request in flight together; past it the
   * oldest waiting one is dropped (counted in `dropped`). Default 4096.
   */
  maxQueued?: number;
  /** A request with no answer after this long is aborted (and reported). Default 10000 ms. */
  timeoutMs?: number;
  /** Told about every failed export and about dropped spans (the runtime logs it at warn). */
  onError?: (error: Error) => void;
}

/** How long flush() sends by default before it gives up on what is left. */
const DEFAULT_FLUSH_MS = 5_000;
/** The abort reason of a request flush() gave up on (reported by flush itself, not as a failed export). */
const ABANDONED = new Error("flush deadline");

/**
 * OTLP/HTTP with the JSON encoding (POST <endpoint>, content-type application/json): a batch per `batchSize`
 * spans or per `delayMs`, one request at a time, each aborted after `timeoutMs`, and a bounded flush() the runtime
 * awaits at stop. At most `maxQueued` spans are held whatever the collector does. Small on purpose - it is what lets
 * @aral/core export traces on Node, Deno and Bun with nothing but @opentelemetry/api installed.
 */
export class OtlpHttpExporter {
  readonly #options: Required<Omit<OtlpExporterOptions, "onError" | "headers">> & Pick<OtlpExporterOptions, "onError">;
  readonly #headers: Record<string, string>;
  /** Spans not yet handed to a request. */
  #queue: SpanRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The request in flight (never more than one), the spans it carries and how to abort it. */
  #inFlight: Promise<void> | undefined;
  #inFlightSpans = 0;
  #controller: AbortController | undefined;
  /** Spans never sent: dropped while `maxQueued` were held, or left when a flush ran out of time. */
  dropped = 0;
  #droppedReported = 0;

  constructor(options: OtlpExporterOptions) {
    this.#options = {
      batchSize: 256,
      delayMs: 1000,
      maxQueued: 4096,
      timeoutMs: DEFAULT_OTLP_TIMEOUT_MS,
      ...options,
    };
    this.#headers = otlpJsonHeaders(options.headers);
  }

  export(span: SpanRecord): void {
    if (this.#queue.length + this.#inFlightSpans >= this.#options.maxQueued) {
      this.dropped++;
      // Everything held is in the request in flight (maxQueued <= batchSize): the newest span goes.
      if (this.#queue.length === 0) return;
      this.#queue.shift();
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#options.batchSize) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), this.#options.delayMs);
  }

  /**
   * Sends everything waiting, a batch at a time; resolves when the collector has answered (or failed) the last one,
   * or at `deadlineMs`: the request in flight is then aborted and what is left is dropped, counted and reported.
   */
  async flush(deadlineMs = DEFAULT_FLUSH_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs)));
    try {
      while (this.#inFlight !== undefined || this.#queue.length > 0) {
        if (this.#inFlight === undefined) this.#send();
        if ((await Promise.race([this.#inFlight, expired])) === true) {
          this.#abandon(deadlineMs);
          return;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #abandon(deadlineMs: number): void {
    const lost = this.#queue.length + this.#inFlightSpans;
    if (lost === 0) return;
    this.#queue = [];
    this.#inFlightSpans = 0;
    this.dropped += lost;
    this.#droppedReported = this.dropped;
    this.#controller?.abort(ABANDONED);
    this.#options.onError?.(
      new Error(
        `OTLP export to ${this.#options.endpoint}: flush did not finish within ${deadlineMs} ms; ${lost} span(s) dropped`,
      ),
    );
  }

  /** Starts the next request unless one is in flight (its end starts the next). */
  #send(): void {
    if (this.#inFlight !== undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const { batchSize } = this.#options;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.length <= batchSize ? this.#queue.splice(0) : this.#queue.splice(0, batchSize);
    this.#inFlightSpans = batch.length;
    const controller = (this.#controller = new AbortController());
    this.#inFlight = this.#post(batch, controller).then(() => {
      this.#inFlight = undefined;
      this.#inFlightSpans = 0;
      this.#controller = undefined;
      this.#reportDropped();
      if (this.#queue.length >= batchSize) this.#send();
      else if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#send(), this.#options.delayMs);
    });
  }

  async #post(batch: SpanRecord[], controller: AbortController): Promise<void> {
    const { endpoint, resource, scope, fetch, timeoutMs, onError } = this.#options;
    try {
      await postOtlpJson(
        fetch,
        {
          endpoint,
          headers: this.#headers,
          body: exportRequest(resource, scope, batch),
          timeoutMs,
          what: "OTLP export",
        },
        controller,
      );
    } catch (error) {
      if (controller.signal.reason !== ABANDONED) onError?.(toError(error));
    }
  }

  /** Once per request at most: the spans dropped since the last report (the collector is slower than the spans come). */
  #reportDropped(): void {
    const count = this.dropped - this.#droppedReported;
    if (count === 0) return;
    this.#droppedReported = this.dropped;
    this.#options.onError?.(
      new Error(
        `OTLP export to ${this.#options.endpoint}: ${count} span(s) dropped, the collector is slower than the spans come (at most ${this.#options.maxQueued} held)`,
      ),
    );
  }
}
