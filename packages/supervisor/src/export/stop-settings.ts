import type { RuntimeConfig } from "@aral/core";

/** Kill deadline margin past `lifecycle.shutdownTimeout` when the manifest sets no `terminationGracePeriod` (the supervisor's own). */
export const TERMINATION_MARGIN_MS = 2_000;

/**
 * When the target may kill whatever is left after SIGTERM: `lifecycle.terminationGracePeriod`, default
 * shutdownTimeout + 2 s, strictly later than the agent's own forced stop so it always writes its stop report.
 */
export function terminationGracePeriodMs(config: RuntimeConfig): number {
  // Read loosely: the field is newer than some resolved configs handed in.
  const grace = (config.lifecycle as { terminationGracePeriod?: number }).terminationGracePeriod;
  return grace ?? config.lifecycle.shutdownTimeout + TERMINATION_MARGIN_MS;
}

/** `resources.pids.limit`, when the core in use has the field. */
export function pidsLimit(config: RuntimeConfig): number | undefined {
  return (config.resources as { pids?: { limit?: number } }).pids?.limit;
}

/** The signal a graceful stop starts with on a target that sends one: SIGTERM when the manifest lists it. */
export function stopSignal(config: RuntimeConfig): string | undefined {
  const signals = config.lifecycle.shutdownSignals;
  return signals.includes("SIGTERM") ? "SIGTERM" : signals[0];
}
