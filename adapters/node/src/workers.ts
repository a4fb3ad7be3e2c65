import { workersOnThreads } from "@aral/platform";
import type { WorkersApi } from "@aral/platform";
import process from "node:process";
import { Worker } from "node:worker_threads";

/** Worker threads that look like Web Workers from the inside. execArgv is inherited (--conditions=source too). */
export function createNodeWorkers(): WorkersApi {
  return workersOnThreads({ Worker, cwd: () => process.cwd() });
}
