import type { WorkerHandle } from "../contract.ts";

/** What an adapter tells the handle about its runtime's worker. */
export interface WorkerHandleBackend {
  post(message: unknown): void;
  /** Stops the runtime's worker; the handle fires onExit(null) once this settles. */
  terminate(): Promise<unknown>;
}

/** The handle plus the feeds an adapter calls from its runtime's worker events. */
export interface WorkerHandleControls {
  readonly handle: WorkerHandle;
  message(data: unknown): void;
  /** Ignored once the worker has exited. */
  error(error: Error): void;
  /** Fires onExit once; later calls (and every event after it) are ignored. */
  exit(code: number | null): void;
  readonly exited: boolean;
}

type Listener<T> = (value: T) => void;

/**
 * The listener bookkeeping every adapter shares: subscriptions with unsubscribe, onExit exactly once,
 * nothing delivered after it, postMessage a no-op once the worker is gone, terminate() idempotent.
 */
export function createWorkerHandle(name: string, backend: WorkerHandleBackend): WorkerHandleControls {
  const listeners = {
    message: new Set<Listener<unknown>>(),
    error: new Set<Listener<Error>>(),
    exit: new Set<Listener<number | null>>(),
  };
  let exited = false;
  let terminating: Promise<void> | undefined;

  const subscribe = <T>(set: Set<Listener<T>>, listener: Listener<T>, what: string): (() => void) => {
    if (typeof listener !== "function")
      throw new TypeError(`WorkerHandle.${what}: listener must be a function, got ${typeof listener}`);
    // Wrapped, so the same function subscribed twice gets two independent subscriptions.
    const entry: Listener<T> = (value) => listener(value);
    set.add(entry);
    return () => void set.delete(entry);
  };

  const emit = <T>(set: Set<Listener<T>>, value: T): void => {
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (error) {
        // As EventTarget does: a throwing listener is reported, and the others still run.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };

  const controls: WorkerHandleControls = {
    handle: {
      name,
      postMessage(message: unknown): void {
        if (!exited) backend.post(message);
      },
      onMessage: (listener) => subscribe(listeners.message, listener, "onMessage"),
      onError: (listener) => subscribe(listeners.error, listener, "onError"),
      onExit: (listener) => subscribe(listeners.exit, listener, "onExit"),
      terminate(): Promise<void> {
        if (exited) return Promise.resolve();
        terminating ??= Promise.resolve()
          .then(() => backend.terminate())
          .then(
            () => controls.exit(null),
            (error: unknown) => {
              controls.exit(null);
              throw error;
            },
          );
        return terminating;
      },
    },
    message(data: unknown): void {
      if (!exited) emit(listeners.message, data);
    },
    error(error: Error): void {
      if (!exited) emit(listeners.error, error);
    },
    exit(code: number | null): void {
      if (exited) return;
      exited = true;
      emit(listeners.exit, code);
      listeners.message.clear();
      listeners.error.clear();
      listeners.exit.clear();
    },
    get exited() {
      return exited;
    },
  };
  return controls;
}
