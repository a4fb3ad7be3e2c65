export { RuntimeError, NonRetryableError, CircuitOpenError, TimeoutError, ResilienceConfigError } from "./errors.ts";
export { BACKOFF_STRATEGIES, JITTER_MODES, baseDelay } from "./backoff.ts";
export type { BackoffStrategy, JitterMode } from "./backoff.ts";
export { executeWithRetry, resolveRetryOptions, RETRY_DEFAULTS } from "./retry.ts";
export type { RetryOptions, RetryAttempt, RetryEvent, ResolvedRetryOptions } from "./retry.ts";
export { RuntimeErrorHandler } from "./error-handler.ts";
export type { RuntimeErrorHandlerOptions, CriticalErrorListener, CriticalErrorInfo } from "./error-handler.ts";
export type { ResilienceLogger } from "./logger.ts";
export { CircuitBreaker } from "./circuit-breaker.ts";
export type {
  CircuitBreakerOptions,
  CircuitState,
  CircuitStateChange,
  CircuitSnapshot,
  FailureRatioOptions,
} from "./circuit-breaker.ts";
export { CircuitBreakerRegistry, circuitBreakers } from "./circuit-registry.ts";
export type { CircuitBreakerRegistryOptions } from "./circuit-registry.ts";
export { withTimeout } from "./timeout.ts";
export type { TimeoutOptions } from "./timeout.ts";
export { compose, retryPolicy, breakerPolicy, timeoutPolicy } from "./policy.ts";
export type { Policy } from "./policy.ts";
