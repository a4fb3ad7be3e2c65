/**
 * Web worker globals for a thread that has only a message port (node:worker_threads on Node, and on
 * Deno, whose Web Workers cannot be terminated while they run synchronous code). An adapter's
 * bootstrap calls this first thing in the thread, imports the user's worker module, then calls
 * `loaded()`: messages that arrived meanwhile are delivered then, as a Web Worker does.
 */

/** The thread's side of the channel to its parent (node:worker_threads' parentPort). */
export interface ParentPortLike {
  on(event: "message", listener: (data: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

export interface WorkerScopeHooks {
  /** Ends this thread (the exit of a worker thread, not of the process). */
  exit(code: number): void;
  /** Observes an uncaught error or unhandled rejection without handling it (the thread still dies). */
  observeUncaught(listener: (error: unknown, kind: "exception" | "rejection") => void): void;
}

type ScopeEvent = { type: string; data?: unknown; error?: unknown; message?: string; reason?: unknown };
type ScopeListener = ((event: ScopeEvent) => void) | { handleEvent(event: ScopeEvent): void };

export function installWorkerScope(port: ParentPortLike, hooks: WorkerScopeHooks): { loaded(): void } {
  const listeners = new Map<string, Set<ScopeListener>>([
    ["message", new Set()],
    ["error", new Set()],
    ["unhandledrejection", new Set()],
  ]);
  let onmessage: ((event: ScopeEvent) => void) | null = null;
  let held: unknown[] | null = [];

  const dispatch = (type: string, event: ScopeEvent): void => {
    if (type === "message" && onmessage) onmessage.call(globalThis, event);
    for (const listener of [...(listeners.get(type) ?? [])]) {
      if (typeof listener === "function") listener.call(globalThis, event);
      else listener.handleEvent(event);
    }
  };
  const deliver = (data: unknown): void => {
    const event =
      typeof MessageEvent === "function"
        ? (new MessageEvent("message", { data }) as ScopeEvent)
        : { type: "message", data };
    dispatch("message", event);
  };

  port.on("message", (data) => {
    if (held) held.push(data);
    else deliver(data);
  });
  Object.assign(globalThis, {
    self: globalThis,
    postMessage: (message: unknown): void => port.postMessage(message),
    addEventListener: (type: string, listener: ScopeListener | null): void => {
      if (listener) listeners.get(type)?.add(listener);
    },
    removeEventListener: (type: string, listener: ScopeListener | null): void => {
      if (listener) listeners.get(type)?.delete(listener);
    },
    close: (): void => hooks.exit(0),
  });
  Object.defineProperty(globalThis, "onmessage", {
    configurable: true,
    get: () => onmessage,
    set: (handler: unknown) => {
      onmessage = typeof handler === "function" ? (handler as (event: ScopeEvent) => void) : null;
    },
  });
  hooks.observeUncaught((error, kind) => {
    if (kind === "rejection") dispatch("unhandledrejection", { type: "unhandledrejection", reason: error });
    else dispatch("error", { type: "error", error, message: error instanceof Error ? error.message : String(error) });
  });

  return {
    loaded(): void {
      const pending = held ?? [];
      held = null;
      for (const data of pending) deliver(data);
    },
  };
}
