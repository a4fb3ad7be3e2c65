import { createWorkerHandle, errorFromWorkerEvent, resolveWorkerModuleUrl, toPlatformError, workerModulePath } from "@aral/core";
import type { SpawnWorkerOptions, WorkerHandle, WorkersApi } from "@aral/core";

let workerCount = 0;

/**
 * Deno's Web Workers (module workers, the parent's permissions). Deno ends a worker on an uncaught
 * error and has no exit event: the error event is where the handle reports onError then onExit(1).
 */
export function createWorkersApi(): WorkersApi {
  return {
    spawn(module: string | URL, opts: SpawnWorkerOptions = {}): WorkerHandle {
      const url = resolveWorkerModuleUrl(module, Deno.cwd());
      const name = opts.name ?? `worker-${++workerCount}`;
      let worker: Worker;
      try {
        worker = new Worker(url.href, { type: "module", name });
      } catch (error) {
        throw toPlatformError(error, { syscall: "spawnWorker", path: workerModulePath(url) });
      }
      const controls = createWorkerHandle(name, {
        post: (message) => worker.postMessage(message),
        terminate: () => worker.terminate(),
      });
      worker.addEventListener("message", (event) => controls.message(event.data));
      worker.addEventListener("messageerror", () => controls.error(new DOMException(`a message from worker '${name}' could not be deserialized`, "DataCloneError")));
      worker.addEventListener("error", (event) => {
        // Unprevented, Deno rethrows the worker's error in this (the parent) thread.
        event.preventDefault();
        controls.error(errorFromWorkerEvent(event, url));
        worker.terminate();
        controls.exit(1);
      });
      return controls.handle;
    },
  };
}
