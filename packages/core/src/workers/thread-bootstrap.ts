import type { ParentPortLike } from "./worker-scope.ts";
import { installWorkerScope } from "./worker-scope.ts";

/** What a worker thread's bootstrap module hands in from node:worker_threads and node:process. */
export interface WorkerThreadHost {
  parentPort: ParentPortLike | null;
  workerData: unknown;
  process: {
    exit(code: number): void;
    on(event: "uncaughtExceptionMonitor", listener: (error: Error, origin: string) => void): unknown;
  };
}

/**
 * The body of every worker-thread bootstrap (Node, and Deno's node:worker_threads): Web worker globals
 * over parentPort, then the user's worker module — so one worker module runs unchanged everywhere.
 */
export function bootWorkerThread(host: WorkerThreadHost, adapter: string): void {
  const moduleUrl = (host.workerData as { module?: unknown } | null)?.module;
  if (!host.parentPort || typeof moduleUrl !== "string") {
    throw new Error(`worker-bootstrap: run only by ${adapter}'s workers.spawn (no parentPort or module)`);
  }
  const scope = installWorkerScope(host.parentPort, {
    exit: (code) => host.process.exit(code),
    // A monitor only observes: the thread still dies of the error, as a Web Worker does.
    observeUncaught: (listener) =>
      host.process.on("uncaughtExceptionMonitor", (error, origin) => listener(error, origin === "unhandledRejection" ? "rejection" : "exception")),
  });
  import(moduleUrl).then(() => scope.loaded());
}
