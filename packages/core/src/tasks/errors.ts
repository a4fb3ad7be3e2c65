import type { TaskFunction, TaskOptions } from "./types.ts";

/** A bad TaskQueue option or add() argument. */
export class TaskQueueConfigError extends Error {
  override readonly name = "TaskQueueConfigError";
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/** The bounded queue was full and its overflow policy is "reject": the task was not accepted. */
export class QueueFullError extends Error {
  override readonly name = "QueueFullError";
  readonly maxQueued: number;
  readonly taskId: string;

  constructor(maxQueued: number, taskId: string) {
    super(`Task queue is full (${maxQueued} queued); task '${taskId}' was not accepted`);
    this.maxQueued = maxQueued;
    this.taskId = taskId;
  }
}

/** The task ran longer than its timeout; its signal was aborted with this error. */
export class TaskTimeoutError extends Error {
  override readonly name = "TaskTimeoutError";
  readonly taskId: string;
  readonly timeoutMs: number;

  constructor(taskId: string, timeoutMs: number) {
    super(`Task '${taskId}' timed out after ${timeoutMs} ms`);
    this.taskId = taskId;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the task's signal (before it started, or while it ran and it then failed). */
export class TaskCancelledError extends Error {
  override readonly name = "TaskCancelledError";
  readonly taskId: string;
  /** Where the task was when it was cancelled. */
  readonly phase: "queued" | "running";

  constructor(taskId: string, phase: "queued" | "running", reason: unknown) {
    super(`Task '${taskId}' was cancelled ${phase === "queued" ? "before it started" : "while running"}`, {
      cause: reason,
    });
    this.taskId = taskId;
    this.phase = phase;
  }
}

/**
 * The queue stopped before the task could finish: it was never started ("returned", resubmit it elsewhere with
 * `task` and `options`), was still running at the shutdown deadline ("aborted"), or arrived after close ("closed").
 */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";
  readonly taskId: string;
  readonly outcome: "returned" | "aborted" | "closed" | "shed";
  /** The task function, so the caller can resubmit it. */
  readonly task: TaskFunction<unknown>;
  /** The options it was added with. */
  readonly options: TaskOptions;

  constructor(
    taskId: string,
    outcome: "returned" | "aborted" | "closed" | "shed",
    task: TaskFunction<unknown>,
    options: TaskOptions,
  ) {
    const what =
      outcome === "returned"
        ? "was returned unstarted because the queue was cleared or shut down"
        : outcome === "aborted"
          ? "was aborted: still running when the shutdown deadline passed"
          : outcome === "shed"
            ? "was returned unstarted: low-priority work was shed while resources are exhausted"
            : "was not accepted: the queue is closed";
    super(`Task '${taskId}' ${what}`);
    this.taskId = taskId;
    this.outcome = outcome;
    this.task = task;
    this.options = options;
  }
}
