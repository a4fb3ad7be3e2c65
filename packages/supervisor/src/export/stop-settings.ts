import type { RuntimeConfig } from "@aral/core";
import { supervisorSettingsFromManifest } from "../manifest-settings.ts";

/**
 * When the target may kill whatever is left after SIGTERM: the supervisor's own kill deadline
 * (`lifecycle.terminationGracePeriod`, default shutdownTimeout + 2 s), strictly later than the agent's own
 * forced stop so it always writes its stop report.
 */
export function terminationGracePeriodMs(config: RuntimeConfig): number {
  return supervisorSettingsFromManifest(config).terminationGracePeriodMs;
}

/** `resources.pids.limit`. */
export function pidsLimit(config: RuntimeConfig): number | undefined {
  return supervisorSettingsFromManifest(config).pidsLimit;
}

/** The signal a graceful stop starts with on a target that sends one: SIGTERM when the manifest lists it. */
export function stopSignal(config: RuntimeConfig): string | undefined {
  const signals = config.lifecycle.shutdownSignals;
  return signals.includes("SIGTERM") ? "SIGTERM" : signals[0];
}
