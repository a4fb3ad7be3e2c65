import { describeValue } from "../config/describe-value.ts";
import { closest } from "../config/suggest.ts";
import type { Clock } from "@aral/platform";
import { MAX_TIMER_MS, systemClock } from "@aral/platform";
import { QueueFullError, ShutdownError, TaskCancelledError, TaskQueueConfigError, TaskTimeoutError } from "./errors.ts";
import { LatencyTracker } from "./latency.ts";
import { PriorityBuffer } from "./priority-buffer.ts";
import { resolvePriority } from "./priority.ts";
import type { PriorityName, ShutdownReport, TaskFunction, TaskHandle, TaskOptions, TaskQueueStats } from "./types.ts";

export interface TaskQueueOptions {
  /** Tasks running at once. Integer >= 1 or Infinity; default 1. */
  concurrency?: number;
  /** Tasks that may wait in the queue (running ones excluded). Default Infinity. */
  maxQueued?: number;
  /** When the queue is full: "reject" add() with QueueFullError (default), or "wait" for room. */
  overflow?: "reject" | "wait";
  /** Timeout for tasks that set none. Default: none. */
  defaultTimeoutMs?: number;
  /** Start paused (nothing runs until resume()). */
  paused?: boolean;
  clock?: Clock;
  /** Called with the run time (ms) of every task whose function settled, e.g. to feed a histogram. */
  onRunSettled?: (durationMs: number) => void;
  /**
   * How long a task keeps its slot after its signal is aborted by its timeout or by the shutdown deadline, for it to
   * stop and clean up (Kubernetes' termination grace period). Past it the slot is released and the task is abandoned
   * (stats.abandoned, onAbandoned): a task that ignores its signal can no longer stall the queue, nor onIdle(), for
   * good. 0 releases the slot at the abort. Default: for a timeout, the task's timeout or 5000 ms, whichever is
   * smaller; at the shutdown deadline, 5000 ms.
   */
  timeoutGraceMs?: number;
  /** Called once for each abandoned task (see timeoutGraceMs), e.g. to log a warning; it may still be running. */
  onAbandoned?: (task: AbandonedTask) => void;
}

/**
 * A task that did not settle within its grace period after its signal was aborted: its slot was released. `reason`
 * says what aborted it: its timeout (`timeoutMs`), or the shutdown deadline (its caller got ShutdownError "aborted").
 */
export type AbandonedTask = {
  readonly id: string;
  readonly priority: number;
  readonly graceMs: number;
} & AbandonCause;

/** What aborted a task that was abandoned. */
type AbandonCause = { readonly reason: "timeout"; readonly timeoutMs: number } | { readonly reason: "shutdown" };

/** The grace period (its cap, for a timeout) when timeoutGraceMs is not set. */
export const DEFAULT_TIMEOUT_GRACE_MS = 5000;

const WAITING = 0;
const QUEUED = 1;
const RUNNING = 2;
const DONE = 3;

interface Entry {
  /** options.id, or the queue's number for it: named "task-<n>" only when a name is needed (taskName). */
  readonly id: string | number;
  readonly fn: TaskFunction<unknown>;
  readonly options: TaskOptions;
  readonly priority: number;
  readonly timeoutMs: number | undefined;
  readonly userSignal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Hears the caller's outcome (see addObserved); one function shared by every task that has one. */
  readonly onAnswered: AnswerObserver | undefined;
  /** Called once the task is in the queue or running (enqueue() waits for it). */
  admitted: ((id: string) => void) | undefined;
  phase: number;
  /** In the priority buffer and not removed (PriorityBuffer's lazy removal flag). */
  live: boolean;
  /** The caller's promise has been settled; later outcomes are ignored. */
  answered: boolean;
  /** Running when shutdown() began: its outcome counts in the shutdown report. */
  inShutdown: boolean;
  acceptedAt: number;
  startedAt: number;
  /** The task's own signal's controller; none when the task function cannot read its signal (see readsSignal). */
  controller: AbortController | undefined;
  /** Aborted when the task settles: its timeout's sleep, then its grace period's. */
  timer: AbortController | undefined;
  /** Aborted (timeout or shutdown) and not settled within the grace period: no longer holds a slot. */
  abandoned: boolean;
  onUserAbort: (() => void) | undefined;
  /** Neighbours in the running list (start order), while running. */
  previousRunning: Entry | undefined;
  nextRunning: Entry | undefined;
}

/** Told how a task's caller was answered: `handedInAt` is the queue clock's time at add(), `ok` false for a rejection. */
export type AnswerObserver = (handedInAt: number, ok: boolean) => void;

/**
 * A zero-parameter arrow function (`async () => ...`, as Function.prototype.toString prints it). Such a function cannot
 * reach the argument it is called with (an arrow has no `arguments` of its own), so the signal handed to it is never
 * seen and needs no controller of its own. Anything else (a parameter, rest or default parameters, a `function`, a
 * bound function, a method) gets its own signal.
 */
const ZERO_PARAMETER_ARROW = /^(?:async\s*)?\(\s*\)\s*=>/;
const functionSource = Function.prototype.toString;
/** Handed to functions that cannot read it (see ZERO_PARAMETER_ARROW); never aborted. */
let unreadSignal: AbortSignal | undefined;

/**
 * A priority task queue that never loses a task: every accepted task's promise settles, and every accepted task
 * ends up exactly one of completed / failed / timedOut / cancelled / returned / aborted.
 */
export class TaskQueue {
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly overflow: "reject" | "wait";
  readonly #defaultTimeoutMs: number | undefined;
  readonly #clock: Clock;
  readonly #onRunSettled: ((durationMs: number) => void) | undefined;
  readonly #timeoutGraceMs: number | undefined;
  readonly #onAbandoned: ((task: AbandonedTask) => void) | undefined;
  readonly #buffer = new PriorityBuffer<Entry>();
  /** Producers waiting for room (overflow "wait"): admitted by priority, FIFO within one. */
  readonly #waiters = new PriorityBuffer<Entry>();
  /** Running tasks in start order: a linked list (O(1) add and remove without hashing; Bun's Set is slow at it). */
  #firstRunning: Entry | undefined;
  #lastRunning: Entry | undefined;
  #runningCount = 0;
  /** The last task function checked by #readsSignal and the answer (tasks are often one function submitted many times). */
  #checkedFn: TaskFunction<unknown> | undefined;
  #checkedReadsSignal = true;
  #paused: boolean;
  #closed = false;
  #nextId = 1;
  #idleWaiters: Array<() => void> = [];
  #shutdown: Promise<ShutdownReport> | undefined;
  #shutdownPending = 0;
  #shutdownFinished = 0;
  #shutdownDrained: (() => void) | undefined;
  readonly #waitLatency = new LatencyTracker();
  readonly #runLatency = new LatencyTracker();
  #accepted = 0;
  #completed = 0;
  #failed = 0;
  #timedOut = 0;
  #cancelled = 0;
  #returned = 0;
  #aborted = 0;
  #rejected = 0;
  #abandoned = 0;

  constructor(options: TaskQueueOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TaskQueueConfigError("options", `TaskQueue options must be an object, got ${describeValue(options)}`);
    }
    const concurrency = options.concurrency ?? 1;
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
      throw new TaskQueueConfigError(
        "concurrency",
        `concurrency must be an integer >= 1 or Infinity, got ${describeValue(concurrency)}`,
      );
    }
    const maxQueued = options.maxQueued ?? Infinity;
    if (!(maxQueued === Infinity || (Number.isInteger(maxQueued) && maxQueued >= 0))) {
      throw new TaskQueueConfigError(
        "maxQueued",
        `maxQueued must be an integer >= 0 or Infinity, got ${describeValue(maxQueued)}`,
      );
    }
    const overflow = options.overflow ?? "reject";
    if (overflow !== "reject" && overflow !== "wait") {
      throw new TaskQueueConfigError("overflow", `overflow must be "reject" or "wait", got ${describeValue(overflow)}`);
    }
    if (options.defaultTimeoutMs !== undefined) checkTimeout("defaultTimeoutMs", options.defaultTimeoutMs);
    this.concurrency = concurrency;
    this.maxQueued = maxQueued;
    this.overflow = overflow;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#paused = options.paused === true;
    this.#clock = options.clock ?? systemClock;
    if (options.onRunSettled !== undefined && typeof options.onRunSettled !== "function") {
      throw new TaskQueueConfigError("onRunSettled", "onRunSettled must be a function");
    }
    this.#onRunSettled = options.onRunSettled;
    if (options.timeoutGraceMs !== undefined) checkTimeout("timeoutGraceMs", options.timeoutGraceMs, true);
    this.#timeoutGraceMs = options.timeoutGraceMs;
    if (options.onAbandoned !== undefined && typeof options.onAbandoned !== "function") {
      throw new TaskQueueConfigError("onAbandoned", "onAbandoned must be a function");
    }
    this.#onAbandoned = options.onAbandoned;
  }

  /** Accepts a task and returns its outcome. Never left pending: see ShutdownError for tasks the queue gives back. */
  add<T>(fn: TaskFunction<T>, options: TaskOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#submit(
        fn as TaskFunction<unknown>,
        options,
        resolve as (value: unknown) => void,
        reject,
        undefined,
        undefined,
      );
    });
  }

  /**
   * add() that also tells `onAnswered` how the caller was answered (AralRuntime.submit's request statistics): one
   * shared function instead of a reaction on every task's promise. Not part of the documented API.
   * @internal
   */
  addObserved<T>(fn: TaskFunction<T>, options: TaskOptions | undefined, onAnswered: AnswerObserver): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#submit(
        fn as TaskFunction<unknown>,
        options === undefined ? {} : options, // null is junk, rejected as add() rejects it
        resolve as (value: unknown) => void,
        reject,
        undefined,
        onAnswered,
      );
    });
  }

  /**
   * The TaskQueueConfigError add() would refuse `fn` and `options` with, or undefined when they are valid. Nothing is
   * accepted or counted: for a caller that must check a task before doing anything else with it (AralRuntime.submit
   * while degraded). Not part of the documented API.
   * @internal
   */
  check(fn: unknown, options: TaskOptions | undefined): TaskQueueConfigError | undefined {
    try {
      validateTask(fn, options === undefined ? {} : options);
      return undefined;
    } catch (error) {
      return error as TaskQueueConfigError;
    }
  }

  /**
   * Like add(), but resolves as soon as the task is accepted into the queue: with overflow "wait" the producer
   * waits here for room. Rejects (QueueFullError, ShutdownError, TaskCancelledError) if it never gets in.
   */
  enqueue<T>(fn: TaskFunction<T>, options: TaskOptions = {}): Promise<TaskHandle<T>> {
    let resolveResult!: (value: T) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<T>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    // A task refused before admission rejects both promises; the caller only ever saw the first.
    result.catch(() => {});
    return new Promise<TaskHandle<T>>((admit, refuse) => {
      let admitted = false;
      this.#submit(
        fn as TaskFunction<unknown>,
        options,
        resolveResult as (value: unknown) => void,
        (error) => {
          if (!admitted) refuse(error);
          rejectResult(error);
        },
        (id) => {
          admitted = true;
          admit({ id, result });
        },
        undefined,
      );
    });
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Queued (and waiting) tasks not yet started. */
  get size(): number {
    return this.#buffer.size + this.#waiters.size;
  }

  /**
   * Entries the queue's buffers hold on to, cancelled ones not yet released included (what a leak would grow).
   * For tests; not part of the documented API.
   * @internal
   */
  get retainedEntries(): number {
    return this.#buffer.retained + this.#waiters.retained;
  }

  /** Running tasks, including aborted ones still within their grace period (abandoned ones are not counted). */
  get pending(): number {
    return this.#runningCount;
  }

  /**
   * Resolves when nothing is queued, waiting or running. An abandoned task (aborted by its timeout or the shutdown
   * deadline, not settled within its grace period) no longer counts as running: the queue can be idle while it still
   * runs. After shutdown() it resolves at the latest one grace period after the deadline.
   */
  onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops intake: add() rejects with ShutdownError from now on; accepted tasks carry on. */
  close(): void {
    this.#closed = true;
  }

  /** Rejects every task not yet started with ShutdownError ("returned"); returns how many. Running tasks carry on. */
  clear(): number {
    const returned = this.#returnUnstarted();
    this.#checkIdle();
    return returned;
  }

  /**
   * Load shedding: rejects every queued task with a priority below `below` (default "normal") with ShutdownError
   * outcome "shed", so its caller can resubmit it later; returns how many. Running and waiting tasks carry on.
   */
  shed(below: number | PriorityName = "normal"): number {
    const threshold = resolvePriority(below);
    const shed = this.#buffer.drainBelow(threshold);
    for (const entry of shed) {
      entry.phase = DONE;
      if (entry.onUserAbort) entry.userSignal!.removeEventListener("abort", entry.onUserAbort);
      this.#answer(entry);
      this.#returned++;
      this.#fail(entry, new ShutdownError(taskName(entry.id), "shed", entry.fn, entry.options));
    }
    this.#admitWaiters();
    this.#checkIdle();
    return shed.length;
  }

  /**
   * Graceful stop: stops intake, returns unstarted tasks (ShutdownError), lets running tasks finish within
   * `timeoutMs` (or until `signal` aborts, whichever comes first), then aborts the rest (their signal, and
   * ShutdownError to their callers). An aborted task that does not settle within timeoutGraceMs is abandoned (see
   * TaskQueueOptions.timeoutGraceMs). Calling it again returns the same report.
   */
  shutdown(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ShutdownReport> {
    if (this.#shutdown) return this.#shutdown;
    const timeoutMs = options.timeoutMs ?? 10_000;
    try {
      checkTimeout("timeoutMs", timeoutMs, true);
      if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
        throw new TaskQueueConfigError("signal", "shutdown signal must be an AbortSignal");
      }
    } catch (error) {
      return Promise.reject(error);
    }
    this.#closed = true;
    this.#shutdown = this.#runShutdown(timeoutMs, options.signal);
    return this.#shutdown;
  }

  stats(): TaskQueueStats {
    return {
      queued: this.#buffer.size,
      waiting: this.#waiters.size,
      running: this.#runningCount,
      paused: this.#paused,
      closed: this.#closed,
      accepted: this.#accepted,
      completed: this.#completed,
      failed: this.#failed,
      timedOut: this.#timedOut,
      cancelled: this.#cancelled,
      returned: this.#returned,
      aborted: this.#aborted,
      rejected: this.#rejected,
      abandoned: this.#abandoned,
      wait: this.#waitLatency.stats(),
      run: this.#runLatency.stats(),
    };
  }

  /** Queued and running tasks per priority (highest first); priorities with neither are left out. */
  byPriority(): { priority: number; queued: number; running: number }[] {
    const counts = new Map<number, { priority: number; queued: number; running: number }>();
    for (const { priority, size } of this.#buffer.sizes()) counts.set(priority, { priority, queued: size, running: 0 });
    for (let entry = this.#firstRunning; entry; entry = entry.nextRunning) {
      const count = counts.get(entry.priority) ?? { priority: entry.priority, queued: 0, running: 0 };
      count.running++;
      counts.set(entry.priority, count);
    }
    return [...counts.values()].sort((a, b) => b.priority - a.priority);
  }

  /** `force` aborting ends the drain early, as if the timeout had passed (a forced stop). */
  async #runShutdown(timeoutMs: number, force: AbortSignal | undefined): Promise<ShutdownReport> {
    const returned = this.#returnUnstarted();
    for (let entry = this.#firstRunning; entry; entry = entry.nextRunning) {
      if (entry.answered) continue;
      entry.inShutdown = true;
      this.#shutdownPending++;
    }
    if (this.#shutdownPending > 0) {
      const timer = new AbortController();
      const drained = new Promise<void>((resolve) => {
        this.#shutdownDrained = resolve;
      });
      const stopWaiting = () => timer.abort();
      force?.addEventListener("abort", stopWaiting, { once: true });
      if (force?.aborted) timer.abort();
      await Promise.race([drained, this.#clock.sleep(timeoutMs, timer.signal).catch(() => {})]);
      force?.removeEventListener("abort", stopWaiting);
      timer.abort();
      this.#shutdownDrained = undefined;
    }
    let aborted = 0;
    const running: Entry[] = [];
    for (let entry = this.#firstRunning; entry; entry = entry.nextRunning) running.push(entry);
    for (const entry of running) {
      if (entry.answered) continue;
      const error = new ShutdownError(taskName(entry.id), "aborted", entry.fn, entry.options);
      this.#answer(entry);
      this.#aborted++;
      aborted++;
      entry.controller?.abort(error);
      this.#fail(entry, error);
      // The task's timeout no longer matters (its caller is answered); the grace period starts now.
      entry.timer?.abort();
      entry.timer = new AbortController();
      this.#startGrace(entry, { reason: "shutdown" }, this.#timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS);
    }
    this.#checkIdle();
    return { finished: this.#shutdownFinished, aborted, returned };
  }

  #submit(
    fn: TaskFunction<unknown>,
    options: TaskOptions,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    admitted: ((id: string) => void) | undefined,
    onAnswered: AnswerObserver | undefined,
  ): void {
    const handedInAt = this.#clock.now();
    let id: string | number;
    let priority: number;
    let timeoutMs: number | undefined;
    try {
      priority = validateTask(fn, options);
      timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
      id = options.id ?? this.#nextId++;
    } catch (error) {
      reject(error);
      onAnswered?.(handedInAt, false);
      return;
    }
    if (this.#closed) {
      this.#rejected++;
      reject(new ShutdownError(taskName(id), "closed", fn, options));
      onAnswered?.(handedInAt, false);
      return;
    }
    const entry: Entry = {
      id,
      fn,
      options,
      priority,
      timeoutMs,
      userSignal: options.signal,
      resolve,
      reject,
      onAnswered,
      admitted,
      phase: WAITING,
      live: false,
      answered: false,
      inShutdown: false,
      acceptedAt: handedInAt,
      startedAt: 0,
      controller: undefined,
      timer: undefined,
      abandoned: false,
      onUserAbort: undefined,
      previousRunning: undefined,
      nextRunning: undefined,
    };
    const canStart =
      !this.#paused && this.#runningCount < this.concurrency && this.#buffer.size === 0 && this.#waiters.size === 0;
    if (!canStart && this.#buffer.size + this.#waiters.size >= this.maxQueued && this.overflow === "reject") {
      this.#rejected++;
      this.#fail(entry, new QueueFullError(this.maxQueued, taskName(id)));
      return;
    }
    this.#accepted++;
    if (entry.userSignal) {
      if (entry.userSignal.aborted) {
        this.#answer(entry);
        this.#cancelled++;
        this.#fail(entry, new TaskCancelledError(taskName(id), "queued", entry.userSignal.reason));
        return;
      }
      const onUserAbort = (): void => this.#onUserAbort(entry);
      entry.onUserAbort = onUserAbort;
      entry.userSignal.addEventListener("abort", onUserAbort, { once: true });
    }
    if (canStart) {
      this.#admit(entry);
      this.#start(entry);
    } else if (this.#buffer.size < this.maxQueued && this.#waiters.size === 0) {
      this.#admit(entry);
      entry.phase = QUEUED;
      entry.live = true;
      this.#buffer.push(entry);
    } else {
      entry.live = true;
      this.#waiters.push(entry);
    }
  }

  #admit(entry: Entry): void {
    const admitted = entry.admitted;
    if (admitted) {
      entry.admitted = undefined;
      admitted(taskName(entry.id));
    }
  }

  #start(entry: Entry): void {
    entry.phase = RUNNING;
    this.#addRunning(entry);
    entry.startedAt = this.#clock.now();
    this.#waitLatency.record(entry.startedAt - entry.acceptedAt);
    // Every task that can read its signal gets its own, dropped when it settles: listeners a task adds and never
    // removes go with it. (One signal shared by all tasks collected every such listener for the queue's life.)
    let signal: AbortSignal;
    if (this.#readsSignal(entry.fn)) {
      entry.controller = new AbortController();
      signal = entry.controller.signal;
    } else {
      signal = unreadSignal ??= new AbortController().signal;
    }
    if (entry.timeoutMs !== undefined) {
      const timer = new AbortController();
      entry.timer = timer;
      const timeoutMs = entry.timeoutMs;
      this.#clock.sleep(timeoutMs, timer.signal).then(
        () => this.#onTimeout(entry, timeoutMs),
        () => {},
      );
    }
    let result: unknown;
    try {
      result = entry.fn(signal);
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (value) => this.#onSettled(entry, true, value),
      (error: unknown) => this.#onSettled(entry, false, error),
    );
  }

  #onSettled(entry: Entry, ok: boolean, outcome: unknown): void {
    entry.phase = DONE;
    // Abandoned: its slot was released at the end of its grace period and its caller answered at the timeout.
    if (entry.abandoned) return;
    this.#removeRunning(entry);
    const runMs = this.#clock.now() - entry.startedAt;
    this.#runLatency.record(runMs);
    this.#onRunSettled?.(runMs);
    entry.timer?.abort();
    if (entry.onUserAbort) entry.userSignal!.removeEventListener("abort", entry.onUserAbort);
    if (!entry.answered) {
      this.#answer(entry);
      if (ok) {
        this.#completed++;
        entry.resolve(outcome);
        entry.onAnswered?.(entry.acceptedAt, true);
      } else if (entry.userSignal?.aborted) {
        this.#cancelled++;
        this.#fail(entry, new TaskCancelledError(taskName(entry.id), "running", outcome));
      } else {
        this.#failed++;
        this.#fail(entry, outcome);
      }
    }
    this.#pump();
    this.#checkIdle();
  }

  #onTimeout(entry: Entry, timeoutMs: number): void {
    if (entry.phase !== RUNNING || entry.answered) return;
    const error = new TaskTimeoutError(taskName(entry.id), timeoutMs);
    this.#answer(entry);
    this.#timedOut++;
    entry.controller?.abort(error);
    this.#fail(entry, error);
    const graceMs = this.#timeoutGraceMs ?? Math.min(DEFAULT_TIMEOUT_GRACE_MS, timeoutMs);
    this.#startGrace(entry, { reason: "timeout", timeoutMs }, graceMs);
  }

  /**
   * The task's signal was aborted: it keeps its slot for `graceMs` to stop, then is abandoned. entry.timer is aborted
   * when it settles, which ends the wait.
   */
  #startGrace(entry: Entry, cause: AbandonCause, graceMs: number): void {
    if (graceMs === 0) {
      this.#abandon(entry, cause, graceMs);
      return;
    }
    this.#clock.sleep(graceMs, entry.timer!.signal).then(
      () => this.#abandon(entry, cause, graceMs),
      () => {},
    );
  }

  #abandon(entry: Entry, cause: AbandonCause, graceMs: number): void {
    if (entry.phase !== RUNNING || entry.abandoned) return;
    entry.abandoned = true;
    this.#removeRunning(entry);
    this.#abandoned++;
    if (entry.onUserAbort) entry.userSignal!.removeEventListener("abort", entry.onUserAbort);
    try {
      this.#onAbandoned?.({ id: taskName(entry.id), priority: entry.priority, graceMs, ...cause });
    } catch {
      // a throwing observer must not keep the slot
    }
    this.#pump();
    this.#checkIdle();
  }

  #onUserAbort(entry: Entry): void {
    const reason = entry.userSignal!.reason;
    if (entry.phase === RUNNING) {
      entry.controller?.abort(reason);
      return;
    }
    if (entry.answered || entry.phase === DONE) return;
    if (entry.phase === QUEUED) this.#buffer.remove(entry);
    else this.#waiters.remove(entry);
    entry.phase = DONE;
    this.#answer(entry);
    this.#cancelled++;
    this.#fail(entry, new TaskCancelledError(taskName(entry.id), "queued", reason));
    this.#admitWaiters();
    this.#checkIdle();
  }

  /** Rejects the caller's promise. */
  #fail(entry: Entry, error: unknown): void {
    entry.reject(error);
    entry.onAnswered?.(entry.acceptedAt, false);
  }

  /** Whether `fn` can read the signal it is called with (see ZERO_PARAMETER_ARROW); the last answer is kept. */
  #readsSignal(fn: TaskFunction<unknown>): boolean {
    if (fn.length !== 0) return true;
    if (fn !== this.#checkedFn) {
      this.#checkedFn = fn;
      this.#checkedReadsSignal = !ZERO_PARAMETER_ARROW.test(functionSource.call(fn));
    }
    return this.#checkedReadsSignal;
  }

  #addRunning(entry: Entry): void {
    entry.previousRunning = this.#lastRunning;
    if (this.#lastRunning) this.#lastRunning.nextRunning = entry;
    else this.#firstRunning = entry;
    this.#lastRunning = entry;
    this.#runningCount++;
  }

  #removeRunning(entry: Entry): void {
    const { previousRunning, nextRunning } = entry;
    if (previousRunning) previousRunning.nextRunning = nextRunning;
    else this.#firstRunning = nextRunning;
    if (nextRunning) nextRunning.previousRunning = previousRunning;
    else this.#lastRunning = previousRunning;
    entry.previousRunning = undefined;
    entry.nextRunning = undefined;
    this.#runningCount--;
  }

  /** Marks the caller's promise as settled (exactly once per task) and credits the shutdown report. */
  #answer(entry: Entry): void {
    entry.answered = true;
    if (entry.inShutdown && this.#shutdownDrained) {
      this.#shutdownFinished++;
      if (--this.#shutdownPending === 0) this.#shutdownDrained();
    }
  }

  #pump(): void {
    while (!this.#paused && this.#runningCount < this.concurrency) {
      // The highest priority starts first, whether it is queued or still waiting for room (a critical waiter
      // does not wait behind queued low-priority work; with maxQueued 0 waiters go straight to a free slot).
      const waiting = this.#waiters.firstPriority;
      const queued = this.#buffer.firstPriority;
      const next =
        waiting !== undefined && (queued === undefined || waiting > queued)
          ? this.#waiters.shift()
          : this.#buffer.shift();
      if (!next) break;
      this.#admit(next);
      this.#start(next);
      this.#admitWaiters();
    }
    this.#admitWaiters();
  }

  #admitWaiters(): void {
    while (this.#waiters.size > 0 && this.#buffer.size < this.maxQueued) {
      const entry = this.#waiters.shift()!;
      entry.phase = QUEUED;
      entry.live = true;
      this.#buffer.push(entry);
      this.#admit(entry);
    }
  }

  #returnUnstarted(): number {
    const unstarted = [...this.#waiters.drain(), ...this.#buffer.drain()];
    for (const entry of unstarted) {
      entry.phase = DONE;
      entry.live = false;
      if (entry.onUserAbort) entry.userSignal!.removeEventListener("abort", entry.onUserAbort);
      this.#answer(entry);
      this.#returned++;
      this.#fail(entry, new ShutdownError(taskName(entry.id), "returned", entry.fn, entry.options));
    }
    return unstarted.length;
  }

  #isIdle(): boolean {
    return this.#runningCount === 0 && this.#buffer.size === 0 && this.#waiters.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    this.#checkedFn = undefined; // an idle queue keeps no task function (nor what its closure holds) alive
    if (this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** A task's name in errors and handles: its options.id, else "task-<n>". */
function taskName(id: string | number): string {
  return typeof id === "number" ? `task-${id}` : id;
}

/**
 * Checks a task and its options as add() does; returns the task's priority, throws TaskQueueConfigError. Shared with
 * TaskQueue.check() so every path that takes a task (the runtime's degraded path too) refuses the same input alike.
 */
function validateTask(fn: unknown, options: TaskOptions): number {
  if (typeof fn !== "function") {
    const got =
      fn instanceof Promise ||
      (typeof fn === "object" && fn !== null && typeof (fn as PromiseLike<unknown>).then === "function")
        ? "a Promise (pass a function that returns it)"
        : describeValue(fn);
    throw new TaskQueueConfigError("fn", `the task must be a function, got ${got}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TaskQueueConfigError("options", `task options must be an object, got ${describeValue(options)}`);
  }
  for (const key in options) if (!TASK_OPTION_KEYS.includes(key)) throw unknownTaskOption(key);
  if (options.id !== undefined && (typeof options.id !== "string" || options.id === "")) {
    throw new TaskQueueConfigError("id", `task id must be a non-empty string, got ${describeValue(options.id)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TaskQueueConfigError(
      "signal",
      `task signal must be an AbortSignal, got ${describeValue(options.signal)}`,
    );
  }
  const priority = resolvePriority(options.priority);
  if (options.timeoutMs !== undefined) checkTimeout("timeoutMs", options.timeoutMs);
  return priority;
}

function checkTimeout(option: string, value: unknown, allowZero = false): void {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0) ||
    value > MAX_TIMER_MS
  ) {
    throw new TaskQueueConfigError(
      option,
      `${option} must be a finite number ${allowZero ? ">= 0" : "> 0"} and at most ${MAX_TIMER_MS} (milliseconds), got ${describeValue(value)}`,
    );
  }
}

const TASK_OPTION_KEYS: readonly string[] = ["priority", "timeoutMs", "signal", "id"] satisfies (keyof TaskOptions)[];

/** A misspelt option ({ timeout: 5000 }) would otherwise run the task with none: named, with the closest known one. */
function unknownTaskOption(key: string): TaskQueueConfigError {
  const near = closest(key, TASK_OPTION_KEYS);
  return new TaskQueueConfigError(
    key,
    `unknown task option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; task options are ${TASK_OPTION_KEYS.join(", ")}`,
  );
}
