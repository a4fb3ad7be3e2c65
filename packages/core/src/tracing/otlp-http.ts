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
 * the fetch ignores its signal, so one hung collector cannot hold an exporter.
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
    const response = await Promise.race([fetch(endpoint, { method: "POST", headers, body, signal }), aborted]);
    await Promise.race([response.arrayBuffer().catch(() => undefined), aborted]);
    if (!response.ok) throw new Error(`${what} to ${endpoint} answered HTTP ${response.status}`);
  } catch (error) {
    // The fetch's own AbortError says less than the reason the request was aborted for.
    throw signal.aborted ? signal.reason : error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
