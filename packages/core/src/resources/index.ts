export {
  QuantityError,
  parseQuantity,
  parseCpu,
  parseBytes,
  formatCpu,
  formatBytes,
  parseBandwidth,
  formatBandwidth,
} from "./quantity.ts";
export {
  ResourceLimitError,
  ResourceRequestError,
  ResourceDegradedError,
  ConnectionLimitError,
  NetworkTimeoutError,
  FetchSchemeError,
  StorageEscapeError,
  StorageQuotaError,
} from "./errors.ts";
export type { ResourceKind } from "./errors.ts";
export { resolveResources } from "./config.ts";
export type { ResourcesConfig, ResolvedResources, FallbackPolicy } from "./config.ts";
export { ResourceManager, RESOURCE_KINDS } from "./manager.ts";
export type {
  AllocationRequest,
  ConnectionPool,
  Lease,
  ResourceAmounts,
  ResourceUsage,
  ResourceKindUsage,
  ResourceEvent,
  ResourceEventListener,
} from "./manager.ts";
export { ResourceMonitor, createResourceMonitor } from "./monitor.ts";
export type {
  DegradedReason,
  UsageSource,
  MonitorThresholds,
  ResourceMonitorOptions,
  ResourceSample,
  MonitorEvent,
  MonitorEventListener,
} from "./monitor.ts";
export { createLimitedFetch } from "./network.ts";
export type { LimitedFetch, LimitedFetchOptions, FetchFunction } from "./network.ts";
export { TokenBucket } from "./token-bucket.ts";
export { Semaphore } from "./semaphore.ts";
export { createStorage, STALE_TEMP_FILE_AGE_MS } from "./storage.ts";
export type {
  Storage,
  StorageArea,
  StorageOptions,
  StorageUsage,
  StoragePlatform,
  StorageFs,
  DiskReport,
} from "./storage.ts";
export { describeEnforcement, RESOURCE_FIELDS } from "./enforcement.ts";
export type { FieldEnforcement, EnforcementStatus } from "./enforcement.ts";
