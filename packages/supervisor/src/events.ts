import type { ChildUsage } from "./child-usage.ts";
import type { CrashLoopError } from "./errors.ts";

export type SupervisorState = "idle" | "running" | "backoff" | "stopping" | "stopped" | "crash-loop" | "failed";

/** Why a run of the child ended, as far as the supervisor knows. */
export type ExitReason = "exit" | "stop" | "memory-exceeded" | "spawn-failed";

export interface SupervisorEvents {
  started: { readonly pid: number; readonly restarts: number };
  exited: {
    readonly pid: number;
    readonly code: number | null;
    readonly signal: string | null;
    readonly reason: ExitReason;
    /** The child had to be SIGKILLed after shutdownTimeoutMs. */
    readonly escalated: boolean;
    /** The start failure (PlatformError NotFound, PermissionDenied) for reason "spawn-failed". */
    readonly error?: unknown;
  };
  restarting: { readonly restart: number; readonly delayMs: number; readonly restartsInWindow: number };
  "crash-loop": { readonly error: CrashLoopError };
  escalated: { readonly pid: number; readonly afterMs: number };
  "memory-exceeded": { readonly pid: number; readonly rssBytes: number; readonly limitBytes: number };
  /** A /proc sample of the child (Linux); CPU is reported, not enforced. */
  usage: ChildUsage;
}

export type SupervisorEventName = keyof SupervisorEvents;

/** How a stop ended the child. */
export interface StopResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly escalated: boolean;
}

/** How supervision ended for good. */
export interface SupervisorOutcome extends StopResult {
  /** "stopped": stop() or a child that finished with code 0; "crash-loop"; "failed": the command could not start. */
  readonly state: "stopped" | "crash-loop" | "failed";
  readonly restarts: number;
  /** CrashLoopError for "crash-loop", the start failure for "failed". */
  readonly error?: Error;
}
