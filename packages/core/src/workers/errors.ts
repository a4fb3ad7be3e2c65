import { describeValue } from "../config/describe-value.ts";

/** Typed failures of the worker pool. Each has a fixed `name` and fields naming what happened. */

/** A bad WorkerPool option, run() option or workerPoolSize() argument. */
export class WorkerPoolConfigError extends Error {
  override readonly name = "WorkerPoolConfigError";
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string, options?: { cause?: unknown }) {
    super(`Invalid worker pool option '${option}': expected ${expected}, got ${describeValue(value)}`, options);
    this.option = option;
    this.value = value;
  }
}

/** The task's handler threw (or rejected) inside the worker. `message` and `stack` are the worker's. */
export class WorkerTaskError extends Error {
  override readonly name = "WorkerTaskError";
  readonly taskId: number;
  readonly worker: string;
  /** The name of the error thrown in the worker ("TypeError", "RangeError", ...). */
  readonly remoteName: string;

  constructor(taskId: number, worker: string, remote: { name: string; message: string; stack?: string }) {
    super(remote.message);
    this.taskId = taskId;
    this.worker = worker;
    this.remoteName = remote.name;
    if (remote.stack !== undefined) this.stack = remote.stack;
  }
}

/** The worker running the task died (uncaught error, exit) before answering; the pool replaced it. */
export class WorkerCrashedError extends Error {
  override readonly name = "WorkerCrashedError";
  readonly taskId: number;
  readonly worker: string;
  /** The worker's exit code when known. */
  readonly exitCode: number | null;

  constructor(taskId: number, worker: string, exitCode: number | null, cause: Error | undefined) {
    const why = cause ? `: ${cause.name}: ${cause.message}` : exitCode === null ? "" : ` (exit code ${exitCode})`;
    super(`Worker '${worker}' crashed while running task ${taskId}${why}`, cause ? { cause } : undefined);
    this.taskId = taskId;
    this.worker = worker;
    this.exitCode = exitCode;
  }
}

/**
 * No worker could be started for the task: the module is missing (cause: PlatformError NotFound), failed
 * while loading, never called defineWorker() within the start timeout, or the platform has no workers.
 */
export class WorkerStartError extends Error {
  override readonly name = "WorkerStartError";
  readonly module: string;
  readonly worker: string;

  constructor(module: string, worker: string, reason: string, cause?: unknown) {
    super(`Worker '${worker}' for ${module} failed to start: ${reason}`, cause === undefined ? undefined : { cause });
    this.module = module;
    this.worker = worker;
  }
}

/** The task ran longer than its `timeoutMs`; the worker running it was terminated and replaced. */
export class WorkerTaskTimeoutError extends Error {
  override readonly name = "WorkerTaskTimeoutError";
  readonly taskId: number;
  readonly timeoutMs: number;

  constructor(taskId: number, timeoutMs: number) {
    super(`Worker task ${taskId} timed out after ${timeoutMs} ms; its worker was terminated and replaced`);
    this.taskId = taskId;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's signal aborted the task: before it started ("queued") or while it ran ("running", worker replaced). */
export class WorkerTaskCancelledError extends Error {
  override readonly name = "WorkerTaskCancelledError";
  readonly taskId: number;
  readonly phase: "queued" | "running";

  constructor(taskId: number, phase: "queued" | "running", reason: unknown) {
    super(
      `Worker task ${taskId} was cancelled ${phase === "queued" ? "before it started" : "while running; its worker was terminated and replaced"}`,
      { cause: reason },
    );
    this.taskId = taskId;
    this.phase = phase;
  }
}

/**
 * The pool was terminated: the task was queued or running then, or run() was called afterwards.
 * `taskId` is null for a start() call (waiting when terminated, or called afterwards).
 */
export class WorkerPoolTerminatedError extends Error {
  override readonly name = "WorkerPoolTerminatedError";
  readonly taskId: number | null;
  readonly phase: "queued" | "running" | "after";

  constructor(taskId: number | null, phase: "queued" | "running" | "after") {
    const subject = taskId === null ? "WorkerPool.start()" : `Worker task ${taskId}`;
    const what =
      phase === "after"
        ? `was ${taskId === null ? "called" : "submitted"} after the pool was terminated`
        : phase === "queued"
          ? "was still queued when the pool was terminated"
          : "was still running when the pool was terminated";
    super(`${subject} ${what}`);
    this.taskId = taskId;
    this.phase = phase;
  }
}
