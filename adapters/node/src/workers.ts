import { PlatformError, workersOnThreads } from "@aral/core";
import type { WorkersApi } from "@aral/core";
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { Worker as ThreadWorker } from "node:worker_threads";
import { onFirstUse } from "./on-first-use.ts";

/**
 * The bootstrap sits next to this module: the .ts source when running from source, the build's
 * dist/worker-bootstrap.js (ESM) otherwise. In the CJS build import.meta is empty, so __filename
 * (dist/index.cjs) locates it.
 */
function bootstrapUrl(): URL {
  const self = typeof import.meta.url === "string" ? import.meta.url : typeof __filename === "string" ? pathToFileURL(__filename).href : "";
  if (!self) throw new PlatformError("Unsupported", "Unsupported: cannot locate the worker bootstrap (neither import.meta.url nor __filename is available)", { syscall: "spawnWorker" });
  return new URL(/\.(m|c)?ts$/.test(new URL(self).pathname) ? "./worker-bootstrap.ts" : "./worker-bootstrap.js", self);
}

const threads = onFirstUse<{ Worker: typeof ThreadWorker }>("node:worker_threads");
/** node:worker_threads' Worker, loaded by the first spawn. */
const Worker = function (...args: ConstructorParameters<typeof ThreadWorker>) {
  return new (threads().Worker)(...args);
} as unknown as typeof ThreadWorker;

/** Worker threads that look like Web Workers from the inside. execArgv is inherited (--conditions=source too). */
export function createNodeWorkers(): WorkersApi {
  return workersOnThreads({ Worker, bootstrap: bootstrapUrl, cwd: () => process.cwd() });
}
