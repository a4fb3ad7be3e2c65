// The root entry is the user's API: AralRuntime, what it takes and returns, and the errors it throws.
// Each area's full API is its own subpath: @aral/core/tasks, /resilience, /health, /metrics, /logging,
// /config, /resources, /lifecycle, /workers.
// Values come from the modules that define them, not the area indexes: Deno and the source condition load every
// module an index names, and an agent that imports this entry needs only these (scripts/bench/import.mjs).
export { AralRuntime } from "./lifecycle/runtime.ts";
export { LifecycleError } from "./lifecycle/errors.ts";
export { InvalidArgumentError } from "./invalid-argument.ts";
export type {
  RuntimeInput,
  RuntimeDeps,
  StopReport,
  RuntimeStatus,
  LifecycleErrorCode,
  Closable,
} from "./lifecycle/index.ts";

export { ConfigError, isConfigError } from "./config/errors.ts";
export type {
  ConfigIssue,
  ConfigErrorCode,
  Manifest,
  ManifestInput,
  RuntimeOptions,
  RuntimeConfig,
} from "./config/index.ts";

export { RuntimeErrorHandler } from "./resilience/error-handler.ts";
export {
  RuntimeError,
  NonRetryableError,
  CircuitOpenError,
  TimeoutError,
  ResilienceConfigError,
} from "./resilience/errors.ts";
export type { RuntimeErrorHandlerOptions, CircuitBreaker, CircuitState } from "./resilience/index.ts";

export {
  ResourceLimitError,
  ResourceRequestError,
  ResourceDegradedError,
  ConnectionLimitError,
  NetworkTimeoutError,
  FetchSchemeError,
  StorageEscapeError,
  StorageQuotaError,
} from "./resources/errors.ts";
export { QuantityError } from "./resources/quantity.ts";
export type {
  AllocationRequest,
  Lease,
  ResourceManager,
  ResourceMonitor,
  Storage,
  StorageArea,
  ResourceKind,
} from "./resources/index.ts";

export { QueueFullError, ShutdownError, TaskCancelledError, TaskTimeoutError } from "./tasks/errors.ts";
export type { TaskOptions, TaskQueue, PriorityName } from "./tasks/index.ts";

export { HealthCheckError } from "./health/errors.ts";
export type { HealthCheck, HealthReport, HealthStatus, HealthMonitor } from "./health/index.ts";

export { MetricsUnavailableError } from "./metrics/errors.ts";
export type { RuntimeMetrics } from "./metrics/index.ts";
export { TracingUnavailableError } from "./tracing/errors.ts";
export type { Logger, LogFields, LogLevel, LogSinkLike, AuditLog } from "./logging/index.ts";

export {
  WorkerTaskError,
  WorkerCrashedError,
  WorkerStartError,
  WorkerTaskTimeoutError,
  WorkerTaskCancelledError,
  WorkerPoolTerminatedError,
} from "./workers/errors.ts";
export type { WorkerPool, WorkerPoolOptions } from "./workers/index.ts";

// From @aral/platform: what a user of AralRuntime meets (the adapter kit is @aral/platform's own).
export { PlatformError, isPlatformError, PLATFORM_ERROR_CODES } from "./platform.ts";
export type { Platform, PlatformErrorCode, PlatformErrorDetails, RuntimeName, RuntimeInfo, Clock } from "./platform.ts";
