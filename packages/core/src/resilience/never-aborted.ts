/** A signal nobody can abort, handed to calls whose caller gave none (saves an AbortController per call). */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}
