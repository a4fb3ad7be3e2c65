/**
 * The first module of every Node worker thread: it gives the thread the Web worker globals
 * (`self`, `postMessage`, `addEventListener`/`removeEventListener` for "message" and "error",
 * `onmessage`, `close`) over `parentPort`, then imports the user's worker module — so one worker
 * module runs unchanged on Node, Deno and Bun. Messages that arrive while the module loads are held
 * and delivered once it has loaded, as a Web Worker does.
 */
import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";

type WorkerEvent = { type: string; data?: unknown; error?: unknown; message?: string; reason?: unknown };
type Listener = ((event: WorkerEvent) => void) | { handleEvent(event: WorkerEvent): void };

const port = parentPort;
const moduleUrl = (workerData as { module?: unknown } | null)?.module;
if (!port || typeof moduleUrl !== "string") {
  throw new Error("worker-bootstrap: run only by @aral/adapter-node's workers.spawn (no parentPort or module)");
}

const listeners = new Map<string, Set<Listener>>([
  ["message", new Set()],
  ["error", new Set()],
  ["unhandledrejection", new Set()],
]);
let onmessage: ((event: WorkerEvent) => void) | null = null;
let held: unknown[] | null = [];

function call(listener: Listener, event: WorkerEvent): void {
  if (typeof listener === "function") listener.call(globalThis, event);
  else listener.handleEvent(event);
}

function dispatch(type: string, event: WorkerEvent): void {
  if (type === "message" && onmessage) onmessage.call(globalThis, event);
  for (const listener of [...(listeners.get(type) ?? [])]) call(listener, event);
}

function deliver(data: unknown): void {
  const event: WorkerEvent = typeof MessageEvent === "function" ? (new MessageEvent("message", { data }) as WorkerEvent) : { type: "message", data };
  dispatch("message", event);
}

port.on("message", (data: unknown) => {
  if (held) held.push(data);
  else deliver(data);
});

const scope = {
  self: globalThis,
  postMessage(message: unknown): void {
    port.postMessage(message);
  },
  addEventListener(type: string, listener: Listener | null): void {
    if (listener) listeners.get(type)?.add(listener);
  },
  removeEventListener(type: string, listener: Listener | null): void {
    if (listener) listeners.get(type)?.delete(listener);
  },
  close(): void {
    process.exit(0);
  },
};
Object.assign(globalThis, scope);
Object.defineProperty(globalThis, "onmessage", {
  configurable: true,
  get: () => onmessage,
  set: (handler: unknown) => {
    onmessage = typeof handler === "function" ? (handler as (event: WorkerEvent) => void) : null;
  },
});

// A monitor only observes: the thread still dies of the error, as a Web Worker does.
process.on("uncaughtExceptionMonitor", (error: unknown, origin: string) => {
  const message = error instanceof Error ? error.message : String(error);
  if (origin === "unhandledRejection") dispatch("unhandledrejection", { type: "unhandledrejection", reason: error });
  else dispatch("error", { type: "error", error, message });
});

import(moduleUrl).then(() => {
  const pending = held ?? [];
  held = null;
  for (const data of pending) deliver(data);
});
