/** Stable reasons every adapter reports failures with. */
export const PLATFORM_ERROR_CODES = [
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "IsADirectory",
  "NotADirectory",
  "NotEmpty",
  "Interrupted",
  "TimedOut",
  "AddrInUse",
  "Unsupported",
  "Unknown",
] as const;

export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

export interface PlatformErrorDetails {
  path?: string;
  syscall?: string;
  cause?: unknown;
}

/**
 * A registered symbol marks every PlatformError, so isPlatformError() (and toPlatformError's pass-through)
 * knows one made by another copy of this package - a source and a dist copy side by side, or two versions.
 */
const BRAND: unique symbol = Symbol.for("@aral/platform.PlatformError");

export class PlatformError extends Error {
  override readonly name = "PlatformError";
  readonly code: PlatformErrorCode;
  readonly path: string | undefined;
  readonly syscall: string | undefined;

  constructor(code: PlatformErrorCode, message: string, details: PlatformErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.syscall = details.syscall;
  }
}

Object.defineProperty(PlatformError.prototype, BRAND, { value: true });

/** Is this a PlatformError (of this code), from this copy of @aral/platform or any other. */
export function isPlatformError(error: unknown, code?: PlatformErrorCode): error is PlatformError {
  const branded =
    error instanceof PlatformError ||
    (typeof error === "object" && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true);
  return branded && (code === undefined || (error as PlatformError).code === code);
}

const BY_ERRNO: Record<string, PlatformErrorCode> = {
  ENOENT: "NotFound",
  EEXIST: "AlreadyExists",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EISDIR: "IsADirectory",
  ENOTDIR: "NotADirectory",
  ENOTEMPTY: "NotEmpty",
  EINTR: "Interrupted",
  ETIMEDOUT: "TimedOut",
  EADDRINUSE: "AddrInUse",
  ENOSYS: "Unsupported",
  ENOTSUP: "Unsupported",
  EOPNOTSUPP: "Unsupported",
};

/** Deno reports errors as classes in its `errors` namespace; their names are stable. */
const BY_ERROR_NAME: Record<string, PlatformErrorCode> = {
  NotFound: "NotFound",
  AlreadyExists: "AlreadyExists",
  PermissionDenied: "PermissionDenied",
  NotCapable: "PermissionDenied",
  IsADirectory: "IsADirectory",
  NotADirectory: "NotADirectory",
  DirectoryNotEmpty: "NotEmpty",
  Interrupted: "Interrupted",
  TimedOut: "TimedOut",
  AddrInUse: "AddrInUse",
  NotSupported: "Unsupported",
  AbortError: "Interrupted",
  TimeoutError: "TimedOut",
};

/** Maps any runtime's error (errno-style `code` or Deno error class) onto a PlatformError. */
export function toPlatformError(error: unknown, details: { path?: string; syscall?: string } = {}): PlatformError {
  if (isPlatformError(error)) return error;
  const e = error as { code?: unknown; name?: unknown; message?: unknown; errno?: unknown } | null;
  const errno = typeof e?.code === "string" ? e.code : undefined;
  const name = typeof e?.name === "string" ? e.name : undefined;
  const code: PlatformErrorCode = (errno && BY_ERRNO[errno]) || (name && BY_ERROR_NAME[name]) || "Unknown";
  const what = details.syscall
    ? `${details.syscall}${details.path ? ` '${details.path}'` : ""}`
    : (details.path ?? "operation");
  const original = typeof e?.message === "string" ? e.message : String(error);
  return new PlatformError(code, `${code}: ${what} failed: ${original}`, { ...details, cause: error });
}

/**
 * Runs an async operation and rethrows its failure as a PlatformError naming the call. Not an async function:
 * the operation's own promise gets one rejection handler, without the extra promise and ticks of an `await`
 * (every adapter fs call goes through here; the ops benchmark compares them with the runtime's API).
 */
export function mapErrors<T>(syscall: string, path: string | undefined, op: () => Promise<T>): Promise<T> {
  const rethrow = (error: unknown): never => {
    throw toPlatformError(error, path === undefined ? { syscall } : { syscall, path });
  };
  try {
    return op().then(undefined, rethrow);
  } catch (error) {
    return Promise.reject(toPlatformError(error, path === undefined ? { syscall } : { syscall, path }));
  }
}
