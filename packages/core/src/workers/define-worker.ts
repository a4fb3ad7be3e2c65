import { PROTOCOL_TAG, isProtocolMessage, serializeError } from "./protocol.ts";
import type { PoolToWorker, WorkerToPool } from "./protocol.ts";

export type WorkerHandler<In = unknown, Out = unknown> = (data: In) => Out | Promise<Out>;

/** The Web globals of a worker scope this file uses; on Node the adapter's bootstrap provides them. */
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(
    type: string,
    listener: (event: { data?: unknown; error?: unknown; reason?: unknown; message?: unknown }) => void,
  ): void;
}

let defined = false;

/**
 * Makes the current worker module answer a WorkerPool: each task's `data` goes to `handler`, its
 * return value (or what it throws) goes back to the pool. Call it once, at the top of the module the
 * pool spawns; the same module runs unchanged on Node, Deno and Bun (values must be structured-clone data).
 */
export function defineWorker<In = unknown, Out = unknown>(handler: WorkerHandler<In, Out>): void {
  if (typeof handler !== "function")
    throw new TypeError(`defineWorker: handler must be a function, got ${typeof handler}`);
  const scope = globalThis as unknown as Partial<WorkerScope>;
  if (typeof scope.postMessage !== "function" || typeof scope.addEventListener !== "function") {
    throw new TypeError(
      "defineWorker: not running in a worker (no postMessage/addEventListener on globalThis); spawn this module through platform.workers or a WorkerPool",
    );
  }
  if (defined)
    throw new Error("defineWorker: already called in this worker; a worker module defines exactly one handler");
  defined = true;
  const worker = scope as WorkerScope;
  const send = (message: WorkerToPool): void => worker.postMessage(message);

  worker.addEventListener("message", (event) => {
    const message = event.data;
    if (!isProtocolMessage(message) || message.kind !== "task") return;
    const { id, data } = message as PoolToWorker;
    void answer(id, () => handler(data as In));
  });

  const answer = async (id: number, run: () => Out | Promise<Out>): Promise<void> => {
    let value: Out;
    try {
      value = await run();
    } catch (error) {
      send({ aral: PROTOCOL_TAG, kind: "result", id, ok: false, error: serializeError(error) });
      return;
    }
    try {
      send({ aral: PROTOCOL_TAG, kind: "result", id, ok: true, value });
    } catch (error) {
      // The result could not be cloned (a function, a class instance with private state, ...).
      send({ aral: PROTOCOL_TAG, kind: "result", id, ok: false, error: serializeError(error) });
    }
  };

  // Tell the pool why the worker is about to die; the crash itself proceeds (nothing is prevented).
  const reportCrash = (error: unknown): void => {
    try {
      send({ aral: PROTOCOL_TAG, kind: "crash", error: serializeError(error) });
    } catch {
      // The channel may already be closing; the pool still sees the worker exit.
    }
  };
  worker.addEventListener("error", (event) => reportCrash(event.error ?? event.message));
  worker.addEventListener("unhandledrejection", (event) => reportCrash(event.reason));

  send({ aral: PROTOCOL_TAG, kind: "ready" });
}
