import { OtlpBackoff, type OtlpBackoffOptions } from "./otlp-backoff.ts";
import { DEFAULT_OTLP_TIMEOUT_MS, RetryableExportError, otlpJsonHeaders, postOtlpJson, toError } from "./otlp-http.ts";
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
  /**
   * The wait after a retryable failure (no connection, HTTP 429/502/503/504), doubling from `initialMs` (default
   * 1000) to `maxMs` (default 30000) with jitter, or the answer's Retry-After when longer; the batch is kept and sent
   * again then. A success starts over.
   */
  backoff?: OtlpBackoffOptions;
  /** Told about every failed export and about dropped spans (the runtime logs it at warn). */
  onError?: (error: Error) => void;
}

/** How long flush() sends by default before it gives up on what is left. */
const DEFAULT_FLUSH_MS = 5_000;
/** The abort reason of a request flush() gave up on (reported by flush itself, not as a failed export). */
const ABANDONED = new Error("flush deadline");

/**
 * OTLP/HTTP with the JSON encoding (POST <endpoint>, content-type application/json): a batch per `batchSize`
 * spans or per `delayMs`, one request at a time, each aborted after `timeoutMs`, a growing wait after each retryable
 * failure in a row (a collector that refuses connections is not sent a doomed request per batch), and a bounded
 * flush() the runtime awaits at stop. At most `maxQueued` spans are held whatever the collector does. Small on
 * purpose - it is what lets @aral/core export traces on Node, Deno and Bun with nothing but @opentelemetry/api
 * installed.
 */
export class OtlpHttpExporter {
  readonly #options: Required<Omit<OtlpExporterOptions, "onError" | "headers" | "backoff">> &
    Pick<OtlpExporterOptions, "onError">;
  readonly #headers: Record<string, string>;
  readonly #backoff: OtlpBackoff;
  /** Spans not yet handed to a request (a batch to send again goes back to the front). */
  #queue: SpanRecord[] = [];
  /** The next #send: after `delayMs`, or when a backoff ends; `#due` is when (performance.now()). */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = 0;
  /** The request in flight (never more than one), the spans it carries and how to abort it. */
  #inFlight: Promise<void> | undefined;
  #inFlightSpans = 0;
  #controller: AbortController | undefined;
  /** A flush is running: a retryable failure ends it instead of waiting (#post says so, not "sent again"). */
  #flushing = false;
  /**
   * Spans never sent: dropped while `maxQueued` were held, or left when a flush ran out of time or met a retryable
   * failure.
   */
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
    this.#backoff = new OtlpBackoff(options.backoff);
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
    else if (this.#timer === undefined) this.#schedule(this.#options.delayMs);
  }

  /**
   * Sends everything waiting, a batch at a time; resolves when the collector has answered (or failed) the last one,
   * or at `deadlineMs`: the request in flight is then aborted and what is left is dropped, counted and reported.
   * A backoff under way is cut short (the flush at stop is the last chance to send); a retryable failure during the
   * flush ends it the same way at once: the collector asked for a wait the stop cannot give, and the batches after it
   * would be doomed requests too.
   */
  async flush(deadlineMs = DEFAULT_FLUSH_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs)));
    this.#backoff.skipWait();
    this.#flushing = true;
    try {
      while (this.#inFlight !== undefined || this.#queue.length > 0) {
        if (this.#inFlight === undefined) {
          if (this.#backoff.remainingMs() > 0) {
            this.#abandon("flush stopped at a retryable failure");
            return;
          }
          this.#send();
        }
        if ((await Promise.race([this.#inFlight, expired])) === true) {
          this.#abandon(`flush did not finish within ${deadlineMs} ms`);
          return;
        }
      }
    } finally {
      this.#flushing = false;
      clearTimeout(timer);
    }
  }

  /** Drops, counts and reports everything held, and aborts the request in flight (which then reports nothing). */
  #abandon(why: string): void {
    const lost = this.#queue.length + this.#inFlightSpans;
    // A pending backoff timer would otherwise keep the process alive for up to maxMs after the stop.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (lost === 0) return;
    this.#queue = [];
    this.#inFlightSpans = 0;
    this.dropped += lost;
    this.#droppedReported = this.dropped;
    this.#controller?.abort(ABANDONED);
    this.#options.onError?.(new Error(`OTLP export to ${this.#options.endpoint}: ${why}; ${lost} span(s) dropped`));
  }

  /**
   * Starts the next request unless one is in flight (its end starts the next) or a backoff is under way (its end
   * starts it).
   */
  #send(): void {
    if (this.#inFlight !== undefined || this.#queue.length === 0) return;
    const wait = this.#backoff.remainingMs();
    if (wait > 0) {
      this.#schedule(wait);
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const { batchSize } = this.#options;
    const batch = this.#queue.length <= batchSize ? this.#queue.splice(0) : this.#queue.splice(0, batchSize);
    this.#inFlightSpans = batch.length;
    const controller = (this.#controller = new AbortController());
    this.#inFlight = this.#post(batch, controller).then((again) => {
      this.#inFlight = undefined;
      this.#inFlightSpans = 0;
      this.#controller = undefined;
      // Held all along (counted in flight): putting the batch back keeps the total within maxQueued; spans that
      // come during the backoff push its oldest out, dropped and counted like any other.
      if (again) this.#queue = batch.concat(this.#queue);
      this.#reportDropped();
      if (this.#queue.length >= batchSize || again) this.#send();
      else if (this.#queue.length > 0 && this.#timer === undefined) this.#schedule(this.#options.delayMs);
    });
  }

  /** #send after `ms`, unless it is due sooner already. */
  #schedule(ms: number): void {
    const due = performance.now() + ms;
    if (this.#timer !== undefined) {
      if (this.#due <= due) return;
      clearTimeout(this.#timer);
    }
    this.#due = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, ms);
  }

  /** Resolves true when the batch is to be sent again (after the backoff); every failure is reported. */
  async #post(batch: SpanRecord[], controller: AbortController): Promise<boolean> {
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
      this.#backoff.succeeded();
      return false;
    } catch (error) {
      if (controller.signal.reason === ABANDONED) return false;
      if (!(error instanceof RetryableExportError)) {
        onError?.(toError(error));
        return false;
      }
      const wait = this.#backoff.failed(error.retryAfterMs);
      onError?.(
        this.#flushing
          ? error
          : new Error(`${error.message}; ${batch.length} span(s) kept, sent again in ${Math.round(wait)} ms`, {
              cause: error,
            }),
      );
      return true;
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
