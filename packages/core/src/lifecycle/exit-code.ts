import type { ShutdownSignal } from "@aral/platform";

const SIGNAL_NUMBERS: Record<ShutdownSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * How the process should exit after a stop the runtime drove itself: 0 when it was clean, 1 after a
 * timeout, a forced stop or a failure - or 128 + the signal number when the user opted in to the
 * shell convention (`lifecycle.signalExitCode: true`).
 */
export function exitCodeFor(outcome: { clean: boolean; signal?: ShutdownSignal; signalExitCode?: boolean }): number {
  if (outcome.signal && outcome.signalExitCode) return 128 + SIGNAL_NUMBERS[outcome.signal];
  return outcome.clean ? 0 : 1;
}
