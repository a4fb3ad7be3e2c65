export type LifecycleErrorCode = "StartupFailed" | "StartupTimeout" | "StartCancelled" | "NotRunning" | "NoPlatform";

/** A lifecycle operation that could not be carried out; `code` says which way it failed. */
export class LifecycleError extends Error {
  override readonly name = "LifecycleError";
  readonly code: LifecycleErrorCode;

  constructor(code: LifecycleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
