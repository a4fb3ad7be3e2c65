import { PlatformError, createWorkerHandle, resolveWorkerModuleUrl, toPlatformError, workerModulePath } from "@aral/core";
import type { SpawnWorkerOptions, WorkerHandle, WorkersApi } from "@aral/core";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Where this module was loaded from: import.meta.url in ESM (source or dist/index.js); in the CJS build
 * import.meta is empty and __filename (dist/index.cjs) is used. The bootstrap sits next to it: the .ts
 * source when running from source, dist/worker-bootstrap.js (an ESM entry of the build) otherwise.
 */
function bootstrapUrl(): URL {
  const self = typeof import.meta.url === "string" ? import.meta.url : typeof __filename === "string" ? pathToFileURL(__filename).href : "";
  if (!self) throw new PlatformError("Unsupported", "Unsupported: cannot locate the worker bootstrap (neither import.meta.url nor __filename is available)", { syscall: "spawnWorker" });
  return new URL(/\.(m|c)?ts$/.test(new URL(self).pathname) ? "./worker-bootstrap.ts" : "./worker-bootstrap.js", self);
}

let workerCount = 0;

/** Worker threads (node:worker_threads) that look like Web Workers from the inside. */
export function createNodeWorkers(): WorkersApi {
  return {
    spawn(module: string | URL, opts: SpawnWorkerOptions = {}): WorkerHandle {
      const url = resolveWorkerModuleUrl(module, process.cwd());
      const name = opts.name ?? `worker-${++workerCount}`;
      const path = workerModulePath(url);
      let worker: Worker;
      try {
        // execArgv is inherited, so a parent running with --conditions=source resolves packages the same way.
        worker = new Worker(bootstrapUrl(), { workerData: { module: url.href }, name });
      } catch (error) {
        throw toPlatformError(error, { syscall: "spawnWorker", path });
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
      worker.on("error", (error: Error) => controls.error(normalizeWorkerError(error, path)));
      worker.on("exit", (code: number) => controls.exit(terminating ? null : code));
      return controls.handle;
    },
  };
}

/** A module that cannot be loaded becomes PlatformError NotFound; the worker's own errors pass through. */
function normalizeWorkerError(error: Error, path: string): Error {
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
    return new PlatformError("NotFound", `NotFound: worker module '${path}' could not be loaded: ${error.message}`, { path, syscall: "spawnWorker", cause: error });
  }
  if (code === "EACCES" || code === "EPERM") return toPlatformError(error, { syscall: "spawnWorker", path });
  return error;
}
