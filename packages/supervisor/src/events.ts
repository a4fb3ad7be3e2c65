import type { ChildUsage } from "./child-usage.ts";
import type { EnforcementReport } from "./enforcement.ts";
import type { CrashLoopError } from "./errors.ts";

export type SupervisorState = "idle" | "running" | "backoff" | "stopping" | "stopped" | "crash-loop" | "failed";

/** Why a run of the child ended, as far as the supervisor knows. */
/** "oom-killed": the kernel's OOM killer ended a process of the instance at its cgroup memory limit. */
export type ExitReason = "exit" | "stop" | "memory-exceeded" | "oom-killed" | "spawn-failed";

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
  /** The kernel OOM-killed a process of the instance (cgroup memory limit). */
  "oom-killed": {
    readonly pid: number;
    readonly oomKills: number;
    readonly limitBytes: number | undefined;
    readonly peakBytes: number | null;
  };
  /** A sample of the instance: from its cgroup's accounting, or from /proc (Linux) without a cgroup. */
  usage: ChildUsage;
  /** How this supervisor's limits are held (once, at the first start). */
  enforcement: EnforcementReport;
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
