import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import type { Platform, WorkerHandle } from "@aral/platform";
import { PlatformError } from "@aral/platform";
import { asyncDisposeSymbol } from "../resources/dispose-symbols.ts";
import {
  WorkerCrashedError,
  WorkerPoolConfigError,
  WorkerPoolTerminatedError,
  WorkerStartError,
  WorkerTaskCancelledError,
  WorkerTaskError,
  WorkerTaskTimeoutError,
} from "./errors.ts";
import { PROTOCOL_TAG, deserializeError, isProtocolMessage } from "./protocol.ts";
import type { PoolToWorker, WorkerToPool } from "./protocol.ts";
import { workerPoolSize } from "./size.ts";

export interface WorkerPoolOptions {
  /** Number of workers. Honoured as given (you may want more than the cores for blocking work). */
  size?: number;
  /** Without `size`: the CPU limit ("2000m", 1.5) the pool is sized from - whole cores, at least 1, at most the machine's cores. */
  cpuLimit?: string | number;
  /** Worker names are `<name>-1`, `<name>-2`, ... Default "aral-worker". */
  name?: string;
  /** How long a new worker may take to load and call defineWorker(). Default 30 000 ms. */
  startTimeoutMs?: number;
  clock?: Clock;
  /**
   * Told of every worker that died on its own (not terminated by the pool): the runtime's pools log it. Crashes in
   * a row are respawned with a growing delay and, past MAX_CONSECUTIVE_CRASHES, not respawned until the next run()
   * or start() (`respawnInMs` null).
   */
  onCrash?: (crash: WorkerCrash) => void;
}

/** A worker that died on its own, and what the pool does about it. */
export interface WorkerCrash {
  readonly worker: string;
  readonly exitCode: number | null;
  /** What the worker or the platform reported, when anything. */
  readonly error: Error | undefined;
  /** The task it was running (rejected with WorkerCrashedError), or undefined for a worker that died idle. */
  readonly taskId: number | undefined;
  /** Crashes in a row: reset when a worker answers a task or has stayed up CRASH_STREAK_RESET_MS. */
  readonly consecutive: number;
  /** When the replacement starts: 0 at once, null when respawning stopped (until the next run() or start()). */
  readonly respawnInMs: number | null;
}

/** The first crash is replaced at once; the next ones after 100 ms, 200 ms, 400 ms, ... at most 30 s. */
export const CRASH_BACKOFF_BASE_MS = 100;
export const CRASH_BACKOFF_MAX_MS = 30_000;
/** More crashes in a row than this and the pool stops respawning until the next run() or start(). */
export const MAX_CONSECUTIVE_CRASHES = 10;
/** A worker that stayed up this long before it died starts a new crash streak. */
export const CRASH_STREAK_RESET_MS = 60_000;

export interface WorkerRunOptions {
  /** Aborting cancels the task: a queued task leaves the queue, a running one has its worker terminated and replaced. */
  signal?: AbortSignal;
  /** Limit on the task's running time (queue time not counted); past it the worker is terminated and replaced. */
  timeoutMs?: number;
}

export interface WorkerPoolStats {
  /** The most workers the pool runs at once. */
  readonly size: number;
  /** Workers alive now (starting, idle or busy). */
  readonly workers: number;
  readonly starting: number;
  readonly idle: number;
  readonly busy: number;
  readonly queued: number;
  /** Tasks that returned a value. */
  readonly completed: number;
  /** Tasks that rejected for any reason. */
  readonly failed: number;
  /** Workers that died while running or waiting for work. */
  readonly crashed: number;
  /** Workers started to replace one that crashed, timed out or was cancelled. */
  readonly replaced: number;
  readonly terminated: boolean;
}

/** The part of the Platform the pool needs. */
export type WorkerPoolPlatform = Pick<Platform, "workers" | "runtime">;

interface Task {
  readonly id: number;
  readonly data: unknown;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  slot?: Slot;
  settled: boolean;
  /** Aborted once the task settles: cancels its timeout sleep. */
  readonly timer: AbortController;
  /** Cancels the timeout sleep and detaches the abort listener. */
  cleanup(): void;
}

interface Slot {
  readonly name: string;
  readonly handle: WorkerHandle;
  state: "starting" | "idle" | "busy" | "gone";
  task?: Task;
  /** What the worker itself reported just before dying (defineWorker's crash message). */
  crashReport?: Error;
  /** What the platform reported (onError). */
  platformError?: Error;
  startTimer?: AbortController;
  /** The clock's time when the worker became ready. */
  readyAt?: number;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;

/** The live pools of each owner (see WorkerPool.closeWith). */
const livePools = new WeakMap<object, Set<WorkerPool<never, unknown>>>();

/**
 * A fixed-size pool of workers for CPU-heavy tasks. The worker module calls defineWorker(handler);
 * run(data) sends `data` to an idle worker (FIFO queue while all are busy) and resolves with the
 * handler's result. Workers start on demand; a worker that crashes is replaced and the task it ran
 * rejects with WorkerCrashedError. terminate() ends every worker: nothing keeps the process alive after.
 */
export class WorkerPool<In = unknown, Out = unknown> {
  readonly size: number;
  /** The worker module, as given. */
  readonly module: string;
  readonly #moduleSpecifier: string | URL;
  readonly #platform: WorkerPoolPlatform;
  readonly #clock: Clock;
  readonly #namePrefix: string;
  readonly #startTimeoutMs: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Task[] = [];
  #nextTaskId = 0;
  #nextWorker = 0;
  /** After a worker failed to start, no new worker starts until one is ready or run() is called again (no spawn loop). */
  #spawnBlocked = false;
  /** Crashes in a row (see WorkerCrash.consecutive). */
  #crashStreak = 0;
  /** While set, a crash backoff is running: no worker starts until it ends. */
  #respawnHold: AbortController | undefined;
  /** Workers to start when the backoff ends (crashed ones not replaced yet). */
  #pendingRespawns = 0;
  readonly #onCrash: ((crash: WorkerCrash) => void) | undefined;
  /** The set of live pools this pool belongs to (see closeWith); it leaves it when terminated. */
  #liveSet: Set<WorkerPool<never, unknown>> | undefined;
  #terminated = false;
  #terminating: Promise<void> | undefined;
  #counts = { completed: 0, failed: 0, crashed: 0, replaced: 0 };
  /** start() callers waiting for every worker to be ready. */
  #startWaiters: { resolve(): void; reject(error: unknown): void }[] = [];

  constructor(platform: WorkerPoolPlatform, module: string | URL, options: WorkerPoolOptions = {}) {
    if (typeof module !== "string" && !(module instanceof URL)) {
      throw new WorkerPoolConfigError("module", module, "a module path or URL");
    }
    if (typeof module === "string" && module.trim() === "")
      throw new WorkerPoolConfigError("module", module, "a non-empty module path or URL");
    if (typeof platform?.workers?.spawn !== "function") {
      throw new PlatformError(
        "Unsupported",
        "Unsupported: this platform has no workers (platform.workers.spawn is missing)",
        { syscall: "spawnWorker" },
      );
    }
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw new WorkerPoolConfigError("options", options, "an options object");
    const {
      size,
      cpuLimit,
      name = "aral-worker",
      startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
      clock = systemClock,
      onCrash,
    } = options;
    if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 1024)) {
      throw new WorkerPoolConfigError("size", size, "a whole number of workers from 1 to 1024");
    }
    if (typeof name !== "string" || name === "") throw new WorkerPoolConfigError("name", name, "a non-empty string");
    if (!(typeof startTimeoutMs === "number" && startTimeoutMs > 0 && Number.isFinite(startTimeoutMs))) {
      throw new WorkerPoolConfigError("startTimeoutMs", startTimeoutMs, "a positive, finite number of milliseconds");
    }
    if (onCrash !== undefined && typeof onCrash !== "function")
      throw new WorkerPoolConfigError("onCrash", onCrash, "a function");
    this.#onCrash = onCrash;
    this.size = size ?? workerPoolSize(cpuLimit, platform.runtime.cpus);
    this.module = module instanceof URL ? module.href : module;
    this.#moduleSpecifier = module;
    this.#platform = platform;
    this.#clock = clock;
    this.#namePrefix = name;
    this.#startTimeoutMs = startTimeoutMs;
  }

  /** Runs one task on a worker and resolves with what the worker's handler returned. */
  run(data: In, options: WorkerRunOptions = {}): Promise<Out> {
    const id = ++this.#nextTaskId;
    if (this.#terminated) return Promise.reject(new WorkerPoolTerminatedError(id, "after"));
    if (options === null || typeof options !== "object" || Array.isArray(options))
      return Promise.reject(new WorkerPoolConfigError("options", options, "an options object ({ signal, timeoutMs })"));
    const { signal, timeoutMs } = options;
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      return Promise.reject(
        new WorkerPoolConfigError("timeoutMs", timeoutMs, "a positive, finite number of milliseconds"),
      );
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      return Promise.reject(new WorkerPoolConfigError("signal", signal, "an AbortSignal"));
    }
    if (signal?.aborted) {
      this.#counts.failed++;
      return Promise.reject(new WorkerTaskCancelledError(id, "queued", signal.reason));
    }
    return new Promise<Out>((resolve, reject) => {
      const timer = new AbortController();
      const onAbort = (): void => this.#cancel(task, signal!.reason);
      const task: Task = {
        id,
        data,
        timeoutMs,
        signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
        timer,
        cleanup: () => {
          timer.abort();
          signal?.removeEventListener("abort", onAbort);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(task);
      this.#spawnBlocked = false;
      this.#dispatch();
    });
  }

  /**
   * Starts every worker now (workers otherwise start on demand) and resolves once all are ready, so the
   * first tasks do not wait for module loading. Rejects with WorkerStartError when a worker fails to start.
   */
  start(): Promise<void> {
    if (this.#terminated) return Promise.reject(new WorkerPoolTerminatedError(null, "after"));
    // Registered first: a spawn that fails at once must reject this call.
    const ready = new Promise<void>((resolve, reject) => this.#startWaiters.push({ resolve, reject }));
    this.#spawnBlocked = false;
    while (this.#slots.size < this.size && !this.#spawnBlocked) this.#spawn();
    this.#settleStartWaiters();
    return ready;
  }

  /** Rejects queued and running tasks with WorkerPoolTerminatedError and terminates every worker. Idempotent. */
  terminate(): Promise<void> {
    if (this.#terminating) return this.#terminating;
    this.#terminated = true;
    this.#liveSet?.delete(this as WorkerPool<never, unknown>);
    this.#liveSet = undefined;
    this.#respawnHold?.abort();
    this.#respawnHold = undefined;
    for (const task of this.#queue.splice(0))
      this.#settle(task, { error: new WorkerPoolTerminatedError(task.id, "queued") });
    const stopping: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (slot.task) this.#settle(slot.task, { error: new WorkerPoolTerminatedError(slot.task.id, "running") });
      this.#retire(slot);
      stopping.push(slot.handle.terminate().catch(() => {}));
    }
    this.#slots.clear();
    this.#settleStartWaiters(new WorkerPoolTerminatedError(null, "running"));
    this.#terminating = Promise.all(stopping).then(() => {});
    return this.#terminating;
  }

  [asyncDisposeSymbol](): Promise<void> {
    return this.terminate();
  }

  /**
   * The runtime's hook: the live pools of one `owner` (a run's close registry) share one closer, added by
   * `addCloser` with the first of them, which terminates those still live; a pool leaves the set when terminated,
   * so short-lived pools are not kept until the run stops. Not part of the documented API.
   * @internal
   */
  closeWith(owner: object, addCloser: (close: () => Promise<void>) => void): void {
    if (this.#terminated) return;
    let pools = livePools.get(owner);
    if (!pools) {
      const created = new Set<WorkerPool<never, unknown>>();
      pools = created;
      livePools.set(owner, created);
      addCloser(() => Promise.all([...created].map((pool) => pool.terminate())).then(() => {}));
    }
    pools.add(this as WorkerPool<never, unknown>);
    this.#liveSet = pools;
  }

  stats(): WorkerPoolStats {
    let starting = 0;
    let idle = 0;
    let busy = 0;
    for (const slot of this.#slots) {
      if (slot.state === "starting") starting++;
      else if (slot.state === "idle") idle++;
      else if (slot.state === "busy") busy++;
    }
    return {
      size: this.size,
      workers: starting + idle + busy,
      starting,
      idle,
      busy,
      queued: this.#queue.length,
      ...this.#counts,
      terminated: this.#terminated,
    };
  }

  #dispatch(): void {
    if (this.#terminated) return;
    for (const slot of this.#slots) {
      // A task whose data cannot be sent leaves the worker idle: it takes the next one.
      while (slot.state === "idle" && this.#queue.length > 0) this.#start(slot, this.#queue.shift()!);
      if (this.#queue.length === 0) return;
    }
    let starting = 0;
    for (const slot of this.#slots) if (slot.state === "starting") starting++;
    while (!this.#spawnBlocked && !this.#respawnHold && this.#queue.length > starting && this.#slots.size < this.size) {
      this.#spawn();
      starting++;
    }
  }

  #spawn(): void {
    const name = `${this.#namePrefix}-${++this.#nextWorker}`;
    let handle: WorkerHandle;
    try {
      handle = this.#platform.workers.spawn(this.#moduleSpecifier, { name });
    } catch (error) {
      this.#startFailed(name, error);
      return;
    }
    const slot: Slot = { name, handle, state: "starting", startTimer: new AbortController() };
    this.#slots.add(slot);
    handle.onMessage((message) => this.#onMessage(slot, message));
    handle.onError((error) => {
      slot.platformError ??= error;
    });
    handle.onExit((code) => this.#onExit(slot, code));
    this.#clock.sleep(this.#startTimeoutMs, slot.startTimer!.signal).then(
      () => {
        if (slot.state !== "starting") return;
        slot.platformError ??= new Error(`it did not call defineWorker() within ${this.#startTimeoutMs} ms`);
        this.#retire(slot);
        void handle.terminate().catch(() => {});
        this.#startFailed(name, slot.platformError);
      },
      () => {},
    );
  }

  #onMessage(slot: Slot, message: unknown): void {
    if (slot.state === "gone" || !isProtocolMessage(message)) return;
    const m = message as WorkerToPool;
    if (m.kind === "ready") {
      if (slot.state !== "starting") return;
      slot.startTimer?.abort();
      slot.state = "idle";
      slot.readyAt = this.#clock.now();
      this.#spawnBlocked = false;
      this.#settleStartWaiters();
      this.#dispatch();
    } else if (m.kind === "result") {
      const task = slot.task;
      if (!task || task.id !== m.id) return;
      slot.task = undefined;
      slot.state = "idle";
      this.#crashStreak = 0;
      this.#settle(task, m.ok ? { value: m.value } : { error: new WorkerTaskError(task.id, slot.name, m.error) });
      this.#dispatch();
    } else if (m.kind === "crash") {
      slot.crashReport = deserializeError(m.error);
    }
  }

  #onExit(slot: Slot, code: number | null): void {
    if (slot.state === "gone") return;
    const wasStarting = slot.state === "starting";
    const task = slot.task;
    this.#retire(slot);
    if (this.#terminated) return;
    const cause = slot.crashReport ?? slot.platformError;
    if (wasStarting) {
      this.#startFailed(slot.name, cause ?? new Error(code === null ? "it exited" : `it exited with code ${code}`));
      return;
    }
    this.#counts.crashed++;
    if (task) this.#settle(task, { error: new WorkerCrashedError(task.id, slot.name, code, cause) });
    this.#afterCrash(slot, code, cause, task?.id);
  }

  /**
   * Replaces a crashed worker: at once after a first crash, then with a doubling delay (a module that dies on its
   * own right after start would otherwise be respawned in a tight loop), and not at all past MAX_CONSECUTIVE_CRASHES
   * until run() or start() is called again.
   */
  #afterCrash(slot: Slot, code: number | null, cause: Error | undefined, taskId: number | undefined): void {
    if (slot.readyAt !== undefined && this.#clock.now() - slot.readyAt >= CRASH_STREAK_RESET_MS) this.#crashStreak = 0;
    const consecutive = ++this.#crashStreak;
    const respawnInMs =
      consecutive > MAX_CONSECUTIVE_CRASHES
        ? null
        : consecutive === 1
          ? 0
          : Math.min(CRASH_BACKOFF_BASE_MS * 2 ** (consecutive - 2), CRASH_BACKOFF_MAX_MS);
    try {
      this.#onCrash?.({ worker: slot.name, exitCode: code, error: cause, taskId, consecutive, respawnInMs });
    } catch {
      // an observer that throws must not stop the pool from recovering
    }
    if (this.#terminated) return;
    if (respawnInMs === null) {
      this.#spawnBlocked = true;
      this.#respawnHold?.abort();
      this.#respawnHold = undefined;
      this.#pendingRespawns = 0;
      if (this.#slots.size > 0) return;
      const reason = `its workers keep crashing (${consecutive} in a row); none is respawned until the next run() or start()`;
      for (const task of this.#queue.splice(0))
        this.#settle(task, { error: new WorkerStartError(this.module, slot.name, reason, cause) });
      return;
    }
    if (respawnInMs === 0 || this.#respawnHold) {
      this.#replace();
      return;
    }
    const hold = new AbortController();
    this.#respawnHold = hold;
    this.#pendingRespawns++;
    this.#counts.replaced++;
    this.#clock.sleep(respawnInMs, hold.signal).then(
      () => {
        if (this.#respawnHold !== hold) return;
        this.#respawnHold = undefined;
        const respawns = this.#pendingRespawns;
        this.#pendingRespawns = 0;
        if (this.#terminated || this.#spawnBlocked) return;
        for (let i = 0; i < respawns && this.#slots.size < this.size; i++) this.#spawn();
        this.#dispatch();
      },
      () => {},
    );
  }

  /** A worker never became ready: the queue waits for the others, or fails when none is left. */
  #startFailed(name: string, cause: unknown): void {
    if (this.#terminated) return;
    this.#spawnBlocked = true;
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.#settleStartWaiters(new WorkerStartError(this.module, name, reason, cause));
    if (this.#slots.size > 0) return;
    for (const task of this.#queue.splice(0))
      this.#settle(task, { error: new WorkerStartError(this.module, name, reason, cause) });
  }

  /** Settles start() callers: with `failure`, or once all workers are up and none is still starting. */
  #settleStartWaiters(failure?: Error): void {
    if (this.#startWaiters.length === 0) return;
    if (!failure) {
      for (const slot of this.#slots) if (slot.state === "starting") return;
      if (this.#slots.size < this.size) return;
    }
    for (const waiter of this.#startWaiters.splice(0)) {
      if (failure) waiter.reject(failure);
      else waiter.resolve();
    }
  }

  #start(slot: Slot, task: Task): void {
    slot.state = "busy";
    slot.task = task;
    task.slot = slot;
    const message: PoolToWorker = { aral: PROTOCOL_TAG, kind: "task", id: task.id, data: task.data };
    try {
      slot.handle.postMessage(message);
    } catch (error) {
      // The data cannot be cloned (DataCloneError): the task fails, the worker stays usable.
      slot.task = undefined;
      slot.state = "idle";
      const expected = "structured-cloneable data (no functions, symbols or class instances), as postMessage takes";
      this.#settle(task, { error: new WorkerPoolConfigError("data", task.data, expected, { cause: error }) });
      return;
    }
    if (task.timeoutMs !== undefined) {
      const timeoutMs = task.timeoutMs;
      this.#clock.sleep(timeoutMs, task.timer.signal).then(
        () => this.#interrupt(task, new WorkerTaskTimeoutError(task.id, timeoutMs)),
        () => {},
      );
    }
  }

  #cancel(task: Task, reason: unknown): void {
    if (task.settled) return;
    const queuedAt = this.#queue.indexOf(task);
    if (queuedAt >= 0) {
      this.#queue.splice(queuedAt, 1);
      this.#settle(task, { error: new WorkerTaskCancelledError(task.id, "queued", reason) });
      return;
    }
    this.#interrupt(task, new WorkerTaskCancelledError(task.id, "running", reason));
  }

  /** Ends a running task early: CPU-bound code cannot be interrupted, so its worker is terminated and replaced. */
  #interrupt(task: Task, error: Error): void {
    const slot = task.slot;
    if (task.settled || !slot || slot.task !== task) return;
    this.#settle(task, { error });
    this.#retire(slot);
    void slot.handle.terminate().catch(() => {});
    this.#replace();
  }

  #replace(): void {
    if (this.#terminated) return;
    this.#counts.replaced++;
    if (this.#respawnHold) {
      // A crash backoff is running: the replacement starts when it ends.
      this.#pendingRespawns++;
      return;
    }
    this.#spawn();
    this.#dispatch();
  }

  #retire(slot: Slot): void {
    slot.state = "gone";
    slot.task = undefined;
    slot.startTimer?.abort();
    this.#slots.delete(slot);
  }

  #settle(task: Task, outcome: { value: unknown } | { error: unknown }): void {
    if (task.settled) return;
    task.settled = true;
    task.cleanup();
    if ("value" in outcome) {
      this.#counts.completed++;
      task.resolve(outcome.value);
    } else {
      this.#counts.failed++;
      task.reject(outcome.error);
    }
  }
}
