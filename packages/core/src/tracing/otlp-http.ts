/**
 * One OTLP/HTTP JSON request, shared by the trace and metrics exporters (loaded with them, never on its own): the
 * headers built once per exporter, and a POST that cannot outlive its timeout or its owner's stop.
 */

/**
 * The per-request timeout when an exporter is made without one: the OTel default, as settings.ts gives the runtime's
 * exporters. Not imported from there: a module the eager bundle and the lazy exporters shared would become a chunk
 * of its own that every agent's import loads (packages/aral/test/import-loads.test.ts).
 */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/**
 * The user's headers and content-type application/json. A Content-Type of the user's (any case) is dropped: the body
 * is JSON whatever it says, and a second content-type header would reach the collector as a list of both.
 */
export function otlpJsonHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (name.toLowerCase() !== "content-type") out[name] = value;
  out["content-type"] = "application/json";
  return out;
}

/**
 * POSTs `body` and reads the answer; rejects on a non-2xx status, a network error, after `timeoutMs` (the request is
 * aborted) or when `controller` is aborted by the caller (with the controller's reason). It settles by then even if
 * the fetch ignores its signal, so one hung collector cannot hold an exporter. No answer at all and 429, 502, 503 and
 * 504 reject with a RetryableExportError (what the OTLP specification retries after a wait); a timeout does not: the
 * timeout itself already spaced the requests out.
 */
export async function postOtlpJson(
  fetch: (input: string, init: RequestInit) => Promise<Response>,
  request: { endpoint: string; headers: Record<string, string>; body: string; timeoutMs: number; what: string },
  controller: AbortController,
): Promise<void> {
  const { endpoint, headers, body, timeoutMs, what } = request;
  const { signal } = controller;
  const timer = setTimeout(
    () => controller.abort(new Error(`${what} to ${endpoint} timed out after ${timeoutMs} ms: aborted`)),
    timeoutMs,
  );
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    let response: Response;
    try {
      response = await Promise.race([fetch(endpoint, { method: "POST", headers, body, signal }), aborted]);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new RetryableExportError(`${what} to ${endpoint} failed: ${describeFetchError(error)}`, undefined, error);
    }
    await Promise.race([response.arrayBuffer().catch(() => undefined), aborted]);
    if (!response.ok) {
      const message = `${what} to ${endpoint} answered HTTP ${response.status}`;
      if (RETRYABLE_STATUS.has(response.status))
        throw new RetryableExportError(message, parseRetryAfter(response.headers.get("retry-after"), Date.now()));
      throw new Error(message);
    }
  } catch (error) {
    // The fetch's own AbortError says less than the reason the request was aborted for.
    throw signal.aborted ? signal.reason : error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/** The answers the OTLP specification calls retryable: too many requests, and a gateway or collector overloaded. */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** A failed export worth sending again after a wait: no connection, or a 429/502/503/504 answer. */
export class RetryableExportError extends Error {
  /** What the answer's Retry-After asked for, in ms; undefined without one (or one that is no delay or date). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs: number | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RetryableExportError";
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Retry-After as seconds ("120") or an HTTP date (every form of which starts with the day's name: Date.parse alone
 * would take "-5" for a year); undefined for anything else.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, a reset) is its cause's message. */
function describeFetchError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && cause.message && !message.includes(cause.message)
    ? `${message} (${cause.message})`
    : message;
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
