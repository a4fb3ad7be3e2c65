/**
 * The messages a WorkerPool and defineWorker() exchange. Each carries `aral` (the protocol tag), so a
 * worker module can still use postMessage for its own purposes without confusing the pool.
 */

export const PROTOCOL_TAG = "aral.worker/1";

/** An error as data: what crosses the thread boundary instead of the Error object. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type PoolToWorker = { aral: typeof PROTOCOL_TAG; kind: "task"; id: number; data: unknown };

export type WorkerToPool =
  | { aral: typeof PROTOCOL_TAG; kind: "ready" }
  | { aral: typeof PROTOCOL_TAG; kind: "result"; id: number; ok: true; value: unknown }
  | { aral: typeof PROTOCOL_TAG; kind: "result"; id: number; ok: false; error: SerializedError }
  /** Sent from the worker's own error / unhandledrejection listener just before it dies. */
  | { aral: typeof PROTOCOL_TAG; kind: "crash"; error: SerializedError };

export function isProtocolMessage(message: unknown): message is { aral: typeof PROTOCOL_TAG; kind: string } {
  return typeof message === "object" && message !== null && (message as { aral?: unknown }).aral === PROTOCOL_TAG;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const serialized: SerializedError = { name: error.name, message: error.message };
    if (typeof error.stack === "string") serialized.stack = error.stack;
    return serialized;
  }
  const e = error as { name?: unknown; message?: unknown } | null;
  if (typeof e === "object" && e !== null && typeof e.message === "string") {
    return { name: typeof e.name === "string" ? e.name : "Error", message: e.message };
  }
  return { name: "Error", message: `non-Error value thrown: ${describeThrown(error)}` };
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Rebuilds an Error from its data, keeping the worker's name, message and stack. */
export function deserializeError(error: SerializedError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
