/** The work a task does; it should stop when its signal aborts (timeout, cancellation, shutdown). */
export type TaskFunction<T> = (signal: AbortSignal) => Promise<T> | T;

export type PriorityName = "critical" | "high" | "normal" | "low";

/** Any other key is refused (TaskQueueConfigError naming it): a misspelt `timeout` would run the task with none. */
export interface TaskOptions {
  /** Higher runs first; FIFO within one priority. A number or a level name. Default "normal" (0). */
  priority?: number | PriorityName;
  /** Counted from the moment the task starts. Default: the queue's defaultTimeoutMs (none). */
  timeoutMs?: number;
  /** Aborting it cancels a queued task, or aborts a running task's signal. */
  signal?: AbortSignal;
  /** Names the task in errors; default "task-<n>". */
  id?: string;
}

export interface TaskHandle<T> {
  readonly id: string;
  /** Settles with the task's outcome; never left pending. */
  readonly result: Promise<T>;
}

export interface LatencyStats {
  count: number;
  avgMs: number;
  p95Ms: number;
}

export interface TaskQueueStats {
  /** Accepted, waiting in the priority queue. */
  queued: number;
  /** Accepted while the queue was full (overflow "wait"), not yet in the queue. */
  waiting: number;
  /** Slots in use, including aborted tasks still within their grace period (TaskQueueOptions.timeoutGraceMs). */
  running: number;
  paused: boolean;
  closed: boolean;
  accepted: number;
  completed: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  /** Never started, rejected with ShutdownError by clear() or shutdown(). */
  returned: number;
  /** Still running at the shutdown deadline, aborted and rejected with ShutdownError. */
  aborted: number;
  /** Refused at add(): queue full or closed (not accepted). */
  rejected: number;
  /**
   * Tasks aborted by their timeout or by the shutdown deadline that did not settle within their grace period: their
   * slot was released (see TaskQueueOptions.timeoutGraceMs). Each is also counted in timedOut or aborted; it may
   * still be running.
   */
  abandoned: number;
  /** Time from acceptance to start (recent samples). */
  wait: LatencyStats;
  /** Time from start to the task's own settlement (recent samples). */
  run: LatencyStats;
}

export interface ShutdownReport {
  /** Running tasks whose outcome was settled before the deadline. */
  finished: number;
  /** Running tasks aborted at the deadline. */
  aborted: number;
  /** Queued (never started) tasks rejected with ShutdownError for resubmission. */
  returned: number;
}
