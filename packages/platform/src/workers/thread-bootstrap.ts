import type { ParentPortLike } from "./worker-scope.ts";
import { installWorkerScope } from "./worker-scope.ts";

/** What a worker thread's bootstrap hands in: node:worker_threads' port and data, and two hooks of its thread. */
export interface WorkerThreadHost {
  parentPort: ParentPortLike | null;
  workerData: unknown;
  /** Ends this thread. */
  exit(code: number): void;
  /** Observes uncaught errors without handling them (Node's "uncaughtExceptionMonitor"); `origin` as Node names it. */
  onUncaughtMonitor(listener: (error: Error, origin: string) => void): void;
}

/**
 * The body of every worker-thread bootstrap (Node, and Deno's node:worker_threads): Web worker globals
 * over parentPort, then the user's worker module - so one worker module runs unchanged everywhere.
 */
export function bootWorkerThread(host: WorkerThreadHost, adapter: string): void {
  const moduleUrl = (host.workerData as { module?: unknown } | null)?.module;
  if (!host.parentPort || typeof moduleUrl !== "string") {
    throw new Error(`worker-bootstrap: run only by ${adapter}'s workers.spawn (no parentPort or module)`);
  }
  const scope = installWorkerScope(host.parentPort, {
    exit: (code) => host.exit(code),
    // A monitor only observes: the thread still dies of the error, as a Web Worker does.
    observeUncaught: (listener) =>
      host.onUncaughtMonitor((error, origin) =>
        listener(error, origin === "unhandledRejection" ? "rejection" : "exception"),
      ),
  });
  import(moduleUrl).then(() => scope.loaded());
}
