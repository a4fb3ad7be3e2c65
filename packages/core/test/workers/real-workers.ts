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

/** Polls `condition` until it holds; fails with `what` past the deadline. */
export async function until(what: string, condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `promise`, or a rejection naming `what` past the deadline (a hang fails fast instead of at the test timeout). */
export function within<T>(what: string, promise: Promise<T>, deadlineMs = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)), deadlineMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
