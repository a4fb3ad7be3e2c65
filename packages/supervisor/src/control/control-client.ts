import { isPlatformError } from "@aral/platform";
import type { Platform } from "@aral/core";
import { readLines, writeJsonLine } from "./line-stream.ts";
import type { ControlErrorBody, ControlRequest, ControlResponse } from "./protocol.ts";

/** The control socket cannot be reached: nothing listens there, or it belongs to another user. */
export class ControlUnreachableError extends Error {
  override readonly name = "ControlUnreachableError";
  readonly path: string;
  /** "not-running" (no socket, or nobody listening) or "refused" (permission denied: another user's fleet). */
  readonly reason: "not-running" | "refused";

  constructor(path: string, reason: "not-running" | "refused", cause: unknown) {
    super(
      reason === "refused"
        ? `permission denied on the control socket ${path}: it belongs to another user (EACCES)`
        : `no fleet is running with control socket ${path} (start one with aral up <fleet file>)`,
      { cause },
    );
    this.path = path;
    this.reason = reason;
  }
}

/** The fleet answered the request with an error. */
export class ControlResponseError extends Error {
  override readonly name = "ControlResponseError";
  readonly body: ControlErrorBody;
  constructor(body: ControlErrorBody) {
    super(body.message);
    this.body = body;
  }
}

export interface ControlCallOptions {
  /** logs --follow: the result of the first answer, as soon as it arrives (before the stream ends). */
  onResult?: (result: unknown) => void;
  /**
   * logs --follow: each further message the fleet sends (a ControlFollowMessage). The follow ends when the
   * connection does - normally or with a read error, alike: the last message says whether the fleet ended it.
   */
  onMessage?: (message: unknown) => void;
  /** Aborting hangs up (ends a follow). */
  signal?: AbortSignal;
}

/** Sends one request over the control socket; resolves with the result, or rejects with ControlResponseError / ControlUnreachableError. */
export async function controlCall(
  platform: Pick<Platform, "net">,
  path: string,
  request: ControlRequest,
  options: ControlCallOptions = {},
): Promise<unknown> {
  let connection;
  try {
    connection = await platform.net.connectUnix(path);
  } catch (error) {
    throw new ControlUnreachableError(
      path,
      isPlatformError(error, "PermissionDenied") ? "refused" : "not-running",
      error,
    );
  }
  const hangUp = () => connection.close();
  options.signal?.addEventListener("abort", hangUp, { once: true });
  try {
    const writer = connection.writable.getWriter();
    await writeJsonLine(writer, request);
    writer.releaseLock();
    let response: ControlResponse | undefined;
    try {
      for await (const line of readLines(connection)) {
        if (line === "") continue;
        const message = JSON.parse(line) as unknown;
        if (response === undefined) {
          response = message as ControlResponse;
          if (!response.ok || !options.onMessage) break;
          options.onResult?.(response.result);
        } else options.onMessage?.(message);
      }
    } catch (error) {
      // a follow under way ends with its connection, however that ends (hung up, reset by a fleet that died)
      if (!(response?.ok && options.onMessage)) throw error;
    }
    if (response === undefined)
      throw new Error(`the fleet closed the control connection without answering ${request.command}`);
    if (!response.ok) throw new ControlResponseError(response.error);
    return response.result;
  } finally {
    options.signal?.removeEventListener("abort", hangUp);
    connection.close();
  }
}
