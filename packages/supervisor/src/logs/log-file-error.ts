import { isPlatformError } from "@aral/platform";

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a component of the path is not a directory",
  EISDIR: "is a directory",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EEXIST: "already exists",
};

/**
 * The errno code of a failed file operation (`EACCES`, `ENOSPC`, ...): the runtime's own code under the
 * PlatformError when it has one (Node, Bun, Deno), else the PlatformError's code, else "unknown".
 */
export function errnoOf(error: unknown): string {
  const code = (value: unknown): string | undefined => {
    const found = (value as { code?: unknown } | null)?.code;
    return typeof found === "string" && /^E[A-Z0-9]+$/.test(found) ? found : undefined;
  };
  if (isPlatformError(error)) return code(error.cause) ?? error.code;
  return code(error) ?? "unknown";
}

/** `EACCES (permission denied)`: the errno code, with what it means when it is a common one. */
export function describeErrno(error: unknown): string {
  const errno = errnoOf(error);
  const reason = REASONS[errno];
  return reason === undefined ? errno : `${errno} (${reason})`;
}

/**
 * A log directory that cannot be created or a log file that cannot be written. The message is one line naming
 * the path and the errno code: `cannot write the log file /srv/logs/api.log: EACCES (permission denied)`.
 */
export class LogFileError extends Error {
  override readonly name = "LogFileError";
  /** The directory or file that could not be created or written. */
  readonly path: string;
  /** The errno code (`EACCES`, `ENOTDIR`, `ENOSPC`, ...), or the PlatformError's code when the runtime gave none. */
  readonly errno: string;

  constructor(what: string, path: string, cause: unknown) {
    super(`cannot ${what} ${path}: ${describeErrno(cause)}`, { cause });
    this.path = path;
    this.errno = errnoOf(cause);
  }
}
