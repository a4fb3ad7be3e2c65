export { WorkerPool } from "./pool.ts";
export type { WorkerPoolOptions, WorkerRunOptions, WorkerPoolStats, WorkerPoolPlatform } from "./pool.ts";
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
export { createWorkerHandle } from "./worker-handle.ts";
export type { WorkerHandleBackend, WorkerHandleControls } from "./worker-handle.ts";
export { resolveWorkerModuleUrl, workerModulePath } from "./module-url.ts";
export { errorFromWorkerEvent } from "./error-event.ts";
export type { WorkerErrorEventLike } from "./error-event.ts";
export { PROTOCOL_TAG as WORKER_PROTOCOL_TAG } from "./protocol.ts";
export type { SerializedError, PoolToWorker, WorkerToPool } from "./protocol.ts";
export { installWorkerScope } from "./worker-scope.ts";
export { bootWorkerThread } from "./thread-bootstrap.ts";
export type { WorkerThreadHost } from "./thread-bootstrap.ts";
export type { ParentPortLike, WorkerScopeHooks } from "./worker-scope.ts";
export { workersOnThreads } from "./worker-threads.ts";
export type { WorkerThreadLike, WorkerThreadConstructor, WorkerThreadsOptions } from "./worker-threads.ts";
