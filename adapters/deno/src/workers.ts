import { moduleBeside, workersOnThreads } from "@aral/platform";
import type { WorkersApi } from "@aral/platform";
import { workerThreads } from "./on-first-use.ts";

/**
 * Deno's node:worker_threads, not its Web Workers: Deno 2.9's Worker.terminate() does not stop a
 * worker running synchronous code (the thread keeps spinning and keeps the process alive -
 * denoland/deno#35657), which would defeat task timeouts and WorkerPool.terminate(). Each thread starts in
 * worker-thread-bootstrap beside this module, which gives it Web worker globals, so worker modules are the same as on Bun.
 */
export function createWorkersApi(): WorkersApi {
  const bootstrap = moduleBeside(import.meta.url, "worker-thread-bootstrap");
  return workersOnThreads({
    // node:worker_threads loads with the first worker
    get Worker() {
      return workerThreads().Worker;
    },
    bootstrap,
    cwd: () => Deno.cwd(),
  });
}
