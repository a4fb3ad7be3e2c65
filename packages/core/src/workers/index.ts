export {
  WorkerPool,
  CRASH_BACKOFF_BASE_MS,
  CRASH_BACKOFF_MAX_MS,
  CRASH_STREAK_RESET_MS,
  MAX_CONSECUTIVE_CRASHES,
} from "./pool.ts";
export type { WorkerCrash, WorkerPoolOptions, WorkerRunOptions, WorkerPoolStats, WorkerPoolPlatform } from "./pool.ts";
export { workerPoolSize } from "./size.ts";
export { defineWorker } from "./define-worker.ts";
export type { WorkerHandler } from "./define-worker.ts";
export {
  WorkerPoolConfigError,
  WorkerTaskError,
  WorkerCrashedError,
  WorkerStartError,
  WorkerTaskTimeoutError,
  WorkerTaskCancelledError,
  WorkerPoolTerminatedError,
} from "./errors.ts";
export { PROTOCOL_TAG as WORKER_PROTOCOL_TAG } from "./protocol.ts";
export type { SerializedError, PoolToWorker, WorkerToPool } from "./protocol.ts";
