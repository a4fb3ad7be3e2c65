import { moduleBeside, workersOnThreads } from "@aral/platform";
import type { WorkersApi } from "@aral/platform";
import type { Worker as ThreadWorker } from "node:worker_threads";
import { onFirstUse } from "./on-first-use.ts";

const threads = onFirstUse<{ Worker: typeof ThreadWorker }>("node:worker_threads");
/** node:worker_threads' Worker, loaded by the first spawn. */
// biome-ignore lint/complexity/useArrowFunction: the platform calls it with `new`, which an arrow function refuses
const Worker = function (...args: ConstructorParameters<typeof ThreadWorker>) {
  return new (threads().Worker)(...args);
} as unknown as typeof ThreadWorker;

/**
 * Worker threads that look like Web Workers from the inside: each starts in worker-thread-bootstrap beside this
 * module. execArgv is inherited (--conditions=source too).
 */
export function createNodeWorkers(): WorkersApi {
  const bootstrap = moduleBeside(import.meta.url, "worker-thread-bootstrap");
  return workersOnThreads({ Worker, bootstrap, cwd: () => process.cwd() });
}
