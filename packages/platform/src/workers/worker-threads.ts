import type { SpawnWorkerOptions, WorkerHandle, WorkersApi } from "../contract.ts";
import { toPlatformError } from "../errors.ts";
import { errorFromWorkerEvent } from "./error-event.ts";
import { resolveWorkerModuleUrl, workerModulePath } from "./module-url.ts";
import { createWorkerHandle } from "./worker-handle.ts";

/**
 * The URL of the module `name` beside `self` (a module's import.meta.url): `name.ts` when `self` is a TypeScript
 * source, `name.js` when it is a build. An adapter locates its worker-thread bootstrap with it.
 */
export function moduleBeside(self: string, name: string): URL {
  const source = /\.(m|c)?ts$/.test(new URL(self).pathname);
  return new URL(`./${name}.${source ? "ts" : "js"}`, self);
}

/** The parts of a node:worker_threads Worker the adapters use (Node, and Deno's implementation of it). */
export interface WorkerThreadLike {
  // As node's catch-all overload, without `any`: every listener (its arguments typed per event) is assignable, and so
  // is the real Worker class.
  on(event: string, listener: (...args: never[]) => void): unknown;
  postMessage(message: unknown): void;
  terminate(): Promise<unknown>;
}

export type WorkerThreadConstructor = new (
  url: URL,
  options: { workerData: { module: string }; name: string },
) => WorkerThreadLike;

export interface WorkerThreadsOptions {
  /** node:worker_threads' Worker. */
  Worker: WorkerThreadConstructor;
  /** The thread's first module: the adapter's own bootstrap, which hands node:worker_threads to bootWorkerThread. */
  bootstrap: URL;
  cwd(): string;
}

let workerCount = 0;

/**
 * platform.workers on node:worker_threads: each thread starts in the adapter's bootstrap (bootWorkerThread), which
 * gives it Web worker globals and imports the user's module. Unlike Deno's Web Workers, terminate()
 * also stops a thread stuck in synchronous code.
 */
export function workersOnThreads(options: WorkerThreadsOptions): WorkersApi {
  return {
    spawn(module: string | URL, opts: SpawnWorkerOptions = {}): WorkerHandle {
      const url = resolveWorkerModuleUrl(module, options.cwd());
      const name = opts.name ?? `worker-${++workerCount}`;
      let worker: WorkerThreadLike;
      try {
        worker = new options.Worker(options.bootstrap, {
          workerData: { module: url.href },
          name,
        });
      } catch (error) {
        throw toPlatformError(error, { syscall: "spawnWorker", path: workerModulePath(url) });
      }
      let terminating = false;
      const controls = createWorkerHandle(name, {
        post: (message) => worker.postMessage(message),
        terminate: () => {
          terminating = true;
          return worker.terminate();
        },
      });
      worker.on("message", (message: unknown) => controls.message(message));
      worker.on("messageerror", (error: Error) => controls.error(error));
      // A module that cannot be found becomes PlatformError NotFound; the worker's own errors pass through.
      worker.on("error", (error: Error) =>
        controls.error(errorFromWorkerEvent({ message: error?.message, error }, url)),
      );
      worker.on("exit", (code: number) => controls.exit(terminating ? null : code));
      return controls.handle;
    },
  };
}
