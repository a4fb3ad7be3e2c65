import { describeValue } from "../config/describe-value.ts";
/** Typed failures of the resources area. Each has a fixed `name` and fields naming what was wrong. */

export type ResourceKind = "cpu" | "memory" | "storage" | "connections";

/** An allocation asked for more than the limit leaves. */
export class ResourceLimitError extends Error {
  override readonly name = "ResourceLimitError";
  readonly resource: ResourceKind;
  /** Amount asked for, in the kind's base unit (cores, bytes, connections). */
  readonly requested: number;
  /** What was still free under the limit when the request came. */
  readonly available: number;
  readonly limit: number;
  /** The same three numbers as quantities a human reads ("200Mi", "500m"). */
  readonly display: { requested: string; available: string; limit: string };

  constructor(
    resource: ResourceKind,
    requested: number,
    available: number,
    limit: number,
    display: { requested: string; available: string; limit: string },
  ) {
    super(
      `Resource limit exceeded: ${resource} requested ${display.requested}, available ${display.available} of limit ${display.limit}`,
    );
    this.resource = resource;
    this.requested = requested;
    this.available = available;
    this.limit = limit;
    this.display = display;
  }
}

/** An allocate() argument that is not a valid request (unknown kind, malformed or negative quantity). */
export class ResourceRequestError extends Error {
  override readonly name = "ResourceRequestError";
  /** The offending key of the request, e.g. "memory" or the unknown "gpu". */
  readonly resource: string;
  readonly value: unknown;
  readonly reason: string;

  constructor(resource: string, value: unknown, reason: string, options?: { cause?: unknown }) {
    super(`Invalid resource request ${resource}=${describeValue(value)}: ${reason}`, options);
    this.resource = resource;
    this.value = value;
    this.reason = reason;
  }
}

/** New work refused because the runtime is degraded with the "reject" fallback policy. */
export class ResourceDegradedError extends Error {
  override readonly name = "ResourceDegradedError";
  readonly reasons: readonly string[];

  constructor(reasons: readonly string[]) {
    super(`Runtime degraded (${reasons.join(", ")}): new work is rejected until usage falls`);
    this.reasons = reasons;
  }
}

/** Every connection slot is busy and the limiter was told not to wait. */
export class ConnectionLimitError extends Error {
  override readonly name = "ConnectionLimitError";
  readonly url: string;
  readonly limit: number;

  constructor(url: string, limit: number) {
    super(`Connection limit reached: ${limit} concurrent requests already in flight, refusing ${url}`);
    this.url = url;
    this.limit = limit;
  }
}

/** A request outlived the network timeout. */
export class NetworkTimeoutError extends Error {
  override readonly name = "NetworkTimeoutError";
  /** Same code as PlatformError's, so generic handling of timeouts can match on it. */
  readonly code = "TimedOut";
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    super(`Request to ${url} timed out after ${timeoutMs} ms`);
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

/** A URL the limited fetch refuses: it is the agent's gate to the network, so only http: and https: pass. */
export class FetchSchemeError extends Error {
  override readonly name = "FetchSchemeError";
  readonly url: string;
  /** The refused scheme, with its colon ("file:", "data:", ...). */
  readonly scheme: string;

  constructor(url: string, scheme: string) {
    super(
      `fetch refuses ${JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}\u2026` : url)}: scheme ${scheme} is not allowed, only http: and https:`,
    );
    this.url = url;
    this.scheme = scheme;
  }
}

/** A storage path that would leave its root (absolute, `..` beyond the root, or a symlink pointing outside). */
export class StorageEscapeError extends Error {
  override readonly name = "StorageEscapeError";
  readonly path: string;
  readonly root: string;
  readonly reason: string;

  constructor(path: string, root: string, reason: string) {
    super(`Storage path ${describeValue(path, 200)} escapes root ${root}: ${reason}`);
    this.path = path;
    this.root = root;
    this.reason = reason;
  }
}

/** A write that would take storage past `maxSize`. Raised before anything is written. */
export class StorageQuotaError extends Error {
  override readonly name = "StorageQuotaError";
  readonly path: string;
  /** Bytes the write would add. */
  readonly requested: number;
  readonly used: number;
  readonly maxSize: number;

  constructor(path: string, requested: number, used: number, maxSize: number) {
    super(`Storage quota exceeded: writing ${path} needs ${requested} more bytes, ${used} of ${maxSize} used`);
    this.path = path;
    this.requested = requested;
    this.used = used;
    this.maxSize = maxSize;
  }
}
