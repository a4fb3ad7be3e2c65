export type * from "./contract.ts";
export { PLATFORM_ERROR_CODES, PlatformError, isPlatformError, toPlatformError, mapErrors } from "./errors.ts";
export type { PlatformErrorCode, PlatformErrorDetails } from "./errors.ts";
export { detectRuntime } from "./detect.ts";
export { failedChild } from "./failed-child.ts";
export { readAll, readAllText, concatBytes, toBytes } from "./streams.ts";
export { run } from "./run.ts";
export type { RunOptions, RunResult } from "./run.ts";
export { MAX_TIMER_MS, systemClock } from "./clock.ts";
export type { Clock } from "./clock.ts";
export { ManualClock } from "./manual-clock.ts";
export { mapReadableErrors, mapWritableErrors } from "./map-stream-errors.ts";
export { onUncaughtFromProcess, signalsFromProcess, usageFromProcess } from "./process-object.ts";
export type { ProcessObject } from "./process-object.ts";
export { fileInfoFromStats } from "./file-info.ts";
export { makeDirectoryTree } from "./make-directory-tree.ts";
export type { DirectoryOps } from "./make-directory-tree.ts";
export type { StatsLike } from "./file-info.ts";
export { guardPlatform } from "./guard.ts";
export { definePlatform } from "./define-platform.ts";
export type { PlatformPrimitives } from "./define-platform.ts";
export type { FileSystemPrimitives } from "./derive-fs.ts";
export type { ProcessPrimitives, SpawnPrimitiveOptions } from "./derive-spawn.ts";
export type { NetPrimitives, SafeRequestHandler, ServeBinding } from "./derive-serve.ts";
export { unixSocketsFromNodeNet, connectionFromSocket } from "./unix-sockets-node.ts";
export type { NodeNetLike, NodeSocketLike, NodeUnixFs } from "./unix-sockets-node.ts";
export { createWorkerHandle } from "./workers/worker-handle.ts";
export type { WorkerHandleBackend, WorkerHandleControls } from "./workers/worker-handle.ts";
export { resolveWorkerModuleUrl, workerModulePath } from "./workers/module-url.ts";
export { errorFromWorkerEvent } from "./workers/error-event.ts";
export type { WorkerErrorEventLike } from "./workers/error-event.ts";
export { installWorkerScope } from "./workers/worker-scope.ts";
export type { ParentPortLike, WorkerScopeHooks } from "./workers/worker-scope.ts";
export { bootWorkerThread } from "./workers/thread-bootstrap.ts";
export type { WorkerThreadHost } from "./workers/thread-bootstrap.ts";
export { moduleBeside, workersOnThreads } from "./workers/worker-threads.ts";
export type { WorkerThreadLike, WorkerThreadConstructor, WorkerThreadsOptions } from "./workers/worker-threads.ts";
export { isThenable, serverUrl } from "./derive-serve.ts";
export {
  EXHAUSTION_QUIET_MS,
  exhaustionLog,
  isDescriptorExhaustion,
  softOpenFileLimit,
  watchDescriptorUse,
} from "./descriptor-exhaustion.ts";
export { dirHandlesOnNodeFs } from "./dir-handle.ts";
export type { DirHandleOps, FileHandleLike, NodeFsPromisesLike, OpenFlagsLike } from "./dir-handle.ts";
