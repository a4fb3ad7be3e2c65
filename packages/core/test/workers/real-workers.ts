import { Worker } from "node:worker_threads";
import { workersOnThreads } from "@aral/platform";
import type { RuntimeInfo } from "@aral/platform";
import type { WorkerPoolPlatform } from "../../src/workers/pool.ts";

/** Worker modules in ./fixtures (plain JavaScript speaking the pool protocol). */
export function fixture(name: "echo-worker" | "idle-crash-worker"): URL {
  return new URL(`./fixtures/${name}.mjs`, import.meta.url);
}

/** platform.workers on real node:worker_threads, each thread starting in fixtures/thread-bootstrap.mjs. */
export function realWorkers(): WorkerPoolPlatform["workers"] {
  return workersOnThreads({
    Worker: Worker as never,
    bootstrap: new URL("./fixtures/thread-bootstrap.mjs", import.meta.url),
    cwd: () => process.cwd(),
  });
}

export function realPlatform(): WorkerPoolPlatform {
  return { workers: realWorkers(), runtime: { cpus: 2 } as RuntimeInfo };
}

export { until, within } from "../wait.ts";
