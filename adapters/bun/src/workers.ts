import {
  createWorkerHandle,
  errorFromWorkerEvent,
  resolveWorkerModuleUrl,
  toPlatformError,
  workerModulePath,
} from "@aral/platform";
import type { SpawnWorkerOptions, WorkerHandle, WorkersApi } from "@aral/platform";

let workerCount = 0;
/** How long terminate() waits for Bun's "close" event before calling the worker gone anyway. */
const CLOSE_GRACE_MS = 2000;

/**
 * Bun's Web Workers. Bun ends a worker on an uncaught error (then "close" with code 1, or 0 after an
 * unhandled rejection): the handle reports onError then onExit(1) at the error, and "close" covers a
 * worker that ended itself.
 */
export function createWorkersApi(): WorkersApi {
  return {
    spawn(module: string | URL, opts: SpawnWorkerOptions = {}): WorkerHandle {
      const url = resolveWorkerModuleUrl(module, process.cwd());
      const name = opts.name ?? `worker-${++workerCount}`;
      let worker: Worker;
      try {
        worker = new Worker(url.href, { type: "module", name });
      } catch (error) {
        throw toPlatformError(error, { syscall: "spawnWorker", path: workerModulePath(url) });
      }
      let terminating = false;
      let closed: () => void = () => {};
      const closing = new Promise<void>((resolve) => (closed = resolve));
      const controls = createWorkerHandle(name, {
        post: (message) => worker.postMessage(message),
        terminate: () => {
          terminating = true;
          worker.terminate();
          let timer: ReturnType<typeof setTimeout> | undefined;
          const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
          return Promise.race([closing, grace]).finally(() => clearTimeout(timer));
        },
      });
      worker.addEventListener("message", (event) => controls.message(event.data));
      worker.addEventListener("messageerror", () =>
        controls.error(new DOMException(`a message from worker '${name}' could not be deserialized`, "DataCloneError")),
      );
      worker.addEventListener("error", (event) => {
        event.preventDefault();
        controls.error(errorFromWorkerEvent(event, url));
        controls.exit(1);
        worker.terminate();
      });
      worker.addEventListener("close", (event) => {
        closed();
        controls.exit(terminating ? null : ((event as CloseEvent).code ?? 0));
      });
      return controls.handle;
    },
  };
}
