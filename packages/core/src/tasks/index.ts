export { TaskQueue } from "./task-queue.ts";
export { DEFAULT_TIMEOUT_GRACE_MS } from "./task-queue.ts";
export type { AbandonedTask, TaskQueueOptions } from "./task-queue.ts";
export { QueueFullError, ShutdownError, TaskCancelledError, TaskQueueConfigError, TaskTimeoutError } from "./errors.ts";
export { PRIORITY_LEVELS, resolvePriority } from "./priority.ts";
export type {
  TaskFunction,
  TaskOptions,
  TaskHandle,
  PriorityName,
  TaskQueueStats,
  LatencyStats,
  ShutdownReport,
} from "./types.ts";
