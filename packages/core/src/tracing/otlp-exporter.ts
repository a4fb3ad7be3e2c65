import { exportRequest, type SpanRecord } from "./otlp-json.ts";

export interface OtlpExporterOptions {
  endpoint: string;
  headers?: Record<string, string>;
  resource: Record<string, string>;
  scope: { name: string; version: string };
  /** The Platform's fetch (core never reaches for a global one). */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Export once this many spans are waiting. Default 256. */
  batchSize?: number;
  /** Export what is waiting after this long. Default 1000 ms. */
  delayMs?: number;
  /** Spans kept while the collector is slow or down; older ones are dropped. Default 4096. */
  maxQueued?: number;
  /** Told about every failed export (the runtime logs it at warn). */
  onError?: (error: Error) => void;
}

/**
 * OTLP/HTTP with the JSON encoding (POST <endpoint>, content-type application/json): a batch per `batchSize`
 * spans or per `delayMs`, one request at a time, and a flush() the runtime awaits at stop. Small on purpose -
 * it is what lets @aral/core export traces on Node, Deno and Bun with nothing but @opentelemetry/api installed.
 */
export class OtlpHttpExporter {
  readonly #options: Required<Omit<OtlpExporterOptions, "onError" | "headers">> &
    Pick<OtlpExporterOptions, "onError" | "headers">;
  #queue: SpanRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  /** Spans dropped because the queue was full. */
  dropped = 0;

  constructor(options: OtlpExporterOptions) {
    this.#options = { batchSize: 256, delayMs: 1000, maxQueued: 4096, ...options };
  }

  export(span: SpanRecord): void {
    if (this.#queue.length >= this.#options.maxQueued) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#options.batchSize) void this.#send();
    else this.#timer ??= setTimeout(() => void this.#send(), this.#options.delayMs);
  }

  /** Sends everything waiting; resolves when the collector has answered (or failed). */
  async flush(): Promise<void> {
    await this.#send();
  }

  #send(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue.splice(0);
    if (batch.length === 0) return this.#inFlight;
    const { endpoint, headers, resource, scope, fetch, onError } = this.#options;
    this.#inFlight = this.#inFlight.then(async () => {
      try {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: exportRequest(resource, scope, batch),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`OTLP export to ${endpoint} answered HTTP ${response.status}`);
      } catch (error) {
        onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return this.#inFlight;
  }
}
