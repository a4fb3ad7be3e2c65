export { HealthMonitor } from "./monitor.ts";
export type {
  CheckKind,
  CheckOutcome,
  CheckResult,
  HealthCheck,
  HealthMonitorOptions,
  HealthReport,
  HealthRound,
  HealthStatus,
  RegisterOptions,
} from "./monitor.ts";
export { HealthCheckError } from "./errors.ts";
export type { HealthCheckErrorReason } from "./errors.ts";
export { healthHandler } from "./handler.ts";
export type { HealthHandlerOptions } from "./handler.ts";
