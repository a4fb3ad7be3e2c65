import type { SpawnWorkerOptions, WorkerHandle, WorkersApi } from "../contract.ts";
import { toPlatformError } from "../errors.ts";
import { errorFromWorkerEvent } from "./error-event.ts";
import { resolveWorkerModuleUrl, workerModulePath } from "./module-url.ts";
import { createWorkerHandle } from "./worker-handle.ts";
import { PlatformError } from "../errors.ts";

// In the CJS build import.meta is empty and __filename (dist/index.cjs) locates the bootstrap instead.
declare const __filename: string | undefined;

/**
 * worker-thread-bootstrap sits next to this package's entry: the .ts source when running from source,
 * the build's dist/worker-thread-bootstrap.js (ESM) otherwise.
 */
function defaultBootstrap(): URL {
  const self =
    typeof import.meta.url === "string"
      ? import.meta.url
      : typeof __filename === "string"
        ? resolveWorkerModuleUrl(__filename, "/").href
        : "";
  if (!self)
    throw new PlatformError(
      "Unsupported",
      "Unsupported: cannot locate the worker bootstrap (neither import.meta.url nor __filename is available)",
      { syscall: "spawnWorker" },
    );
  const source = /\.(m|c)?ts$/.test(new URL(self).pathname);
  // from source this file is src/workers/worker-threads.ts; built, it is bundled into dist/index.*
  return new URL(source ? "../worker-thread-bootstrap.ts" : "./worker-thread-bootstrap.js", self);
}

/** The parts of a node:worker_threads Worker the adapters use (Node, and Deno's implementation of it). */
export interface WorkerThreadLike {
  // node's catch-all overload, so the real Worker class is assignable (its listeners' types differ per event).
  // deno-lint-ignore no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
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
  /** The thread's first module; by default this package's worker-thread-bootstrap (bootWorkerThread). */
  bootstrap?(): URL;
  cwd(): string;
}

let workerCount = 0;

/**
 * platform.workers on node:worker_threads: each thread starts in worker-thread-bootstrap, which
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
        worker = new options.Worker((options.bootstrap ?? defaultBootstrap)(), {
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
