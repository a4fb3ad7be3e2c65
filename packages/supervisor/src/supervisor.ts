import { systemClock, type Clock } from "@aral/core";
import type { ChildProcess, ExitStatus, Platform } from "@aral/core";
import { baseDelay } from "@aral/core";
import { childUsageSupported, readChildUsage } from "./child-usage.ts";
import { CrashLoopError, SupervisorStateError } from "./errors.ts";
import type { ExitReason, StopResult, SupervisorEventName, SupervisorEvents, SupervisorOutcome, SupervisorState } from "./events.ts";
import { validateSupervisorOptions, type SupervisorLogger, type SupervisorOptions } from "./options.ts";
import { forwardLines } from "./output-lines.ts";

const DEFAULT_SAMPLE_INTERVAL_MS = 1_000;
/** After the child exits, how long its output pipes may take to drain (a grandchild can hold them open). */
const OUTPUT_DRAIN_MS = 250;

const consoleSupervisorLogger: SupervisorLogger = {
  info: (message, fields) => console.log(message, fields ?? ""),
  warn: (message, fields) => console.warn(message, fields ?? ""),
  error: (message, fields) => console.error(message, fields ?? ""),
};

interface Run {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ended: Promise<{ status: ExitStatus } | { error: unknown }>;
  readonly output: Promise<void>;
  readonly sampling: AbortController;
  memoryExceeded: boolean;
  termination?: Promise<boolean>;
}

type Listener<E extends SupervisorEventName> = (payload: SupervisorEvents[E]) => void;

/**
 * Runs one agent process and keeps it running: restarts it with exponential backoff after an unexpected
 * exit, stops a crash loop, stops the child past its memory limit (Linux), and stops it gracefully
 * (SIGTERM, then SIGKILL after shutdownTimeoutMs). Uses nothing but the Platform it is handed.
 */
export class Supervisor {
  readonly #platform: Platform;
  readonly #options: SupervisorOptions;
  readonly #clock: Clock;
  readonly #logger: SupervisorLogger;
  readonly #listeners = new Map<SupervisorEventName, Set<Listener<SupervisorEventName>>>();
  #state: SupervisorState = "idle";
  #run: Run | undefined;
  #restarts = 0;
  /** clock.now() of each restart, pruned to the window. */
  #restartTimes: number[] = [];
  #stopRequested = false;
  readonly #backoffAbort = new AbortController();
  #outcome: SupervisorOutcome | undefined;
  #resolveFinished!: (outcome: SupervisorOutcome) => void;
  readonly #finished = new Promise<SupervisorOutcome>((resolve) => (this.#resolveFinished = resolve));

  constructor(platform: Platform, options: SupervisorOptions) {
    validateSupervisorOptions(options);
    this.#platform = platform;
    this.#options = { ...options, args: [...(options.args ?? [])], env: { ...options.env }, restart: { ...options.restart } };
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? consoleSupervisorLogger;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** Restarts made since start(). */
  get restarts(): number {
    return this.#restarts;
  }

  /** The running child's pid, or undefined between runs. */
  get pid(): number | undefined {
    return this.#run?.pid;
  }

  /** Subscribes to an event; returns unsubscribe. */
  on<E extends SupervisorEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<SupervisorEventName>);
    return () => set.delete(listener as Listener<SupervisorEventName>);
  }

  /** Spawns the child and supervises it until stop(), a crash loop, a start failure, or (restartOn "failure") a clean exit. */
  start(): void {
    if (this.#state !== "idle") throw new SupervisorStateError(this.#state, `Supervisor.start: already started (state "${this.#state}")`);
    const limit = this.#options.memoryLimitBytes;
    if (limit !== undefined && !childUsageSupported(this.#platform)) {
      this.#logger.warn("supervisor: the memory limit cannot be enforced on this OS (child usage is read from Linux /proc); only the Node heap cap applies", {
        os: this.#platform.runtime.os,
        memoryLimitBytes: limit,
      });
    }
    void this.#supervise().catch((error: unknown) => {
      this.#logger.error("supervisor: internal failure", { error: error instanceof Error ? error.message : String(error) });
      this.#finish({ state: "failed", code: null, signal: null, escalated: false, restarts: this.#restarts, error: error instanceof Error ? error : new Error(String(error)) });
    });
  }

  /** Resolves when supervision has ended for good. */
  finished(): Promise<SupervisorOutcome> {
    return this.#finished;
  }

  /** SIGTERM to the child, SIGKILL after shutdownTimeoutMs; no restart afterwards. Resolves with how the child ended. */
  async stop(): Promise<StopResult> {
    if (this.#state === "idle") {
      this.#stopRequested = true;
      this.#finish({ state: "stopped", code: null, signal: null, escalated: false, restarts: 0 });
    }
    if (!this.#outcome) {
      this.#stopRequested = true;
      if (this.#state !== "stopping") this.#setState("stopping");
      this.#backoffAbort.abort();
      if (this.#run) void this.#terminate(this.#run);
    }
    const { code, signal, escalated } = await this.#finished;
    return { code, signal, escalated };
  }

  async #supervise(): Promise<void> {
    const { restart } = this.#options;
    for (;;) {
      const run = this.#spawn();
      this.#run = run;
      if (!this.#stopRequested) this.#setState("running");
      this.#emit("started", { pid: run.pid, restarts: this.#restarts });
      void this.#sample(run);
      if (this.#stopRequested) void this.#terminate(run);

      const ended = await run.ended;
      run.sampling.abort();
      await this.#drain(run.output);
      const escalated = run.termination ? await run.termination : false;
      this.#run = undefined;
      const status = "status" in ended ? ended.status : undefined;
      const code = status?.code ?? null;
      const signal = status?.signal ?? null;
      const reason: ExitReason = !status ? "spawn-failed" : this.#stopRequested ? "stop" : run.memoryExceeded ? "memory-exceeded" : "exit";
      this.#emit("exited", { pid: run.pid, code, signal, reason, escalated, ...("error" in ended ? { error: ended.error } : {}) });

      if ("error" in ended) {
        const error = ended.error instanceof Error ? ended.error : new Error(String(ended.error));
        this.#logger.error(`supervisor: cannot start '${this.#options.command}': ${error.message}`, { command: this.#options.command });
        return this.#finish({ state: "failed", code, signal, escalated, restarts: this.#restarts, error });
      }
      if (this.#stopRequested) return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      if (code === 0 && !run.memoryExceeded && restart.restartOn !== "always") {
        return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      }

      const now = this.#clock.now();
      this.#restartTimes = this.#restartTimes.filter((time) => now - time < restart.windowMs);
      const inWindow = this.#restartTimes.length;
      if (inWindow >= restart.maxRestarts) {
        const error = new CrashLoopError({ restartsInWindow: inWindow, maxRestarts: restart.maxRestarts, windowMs: restart.windowMs, lastExit: { code, signal } });
        this.#setState("crash-loop");
        this.#logger.error(`supervisor: ${error.message}`, { code, signal, restarts: this.#restarts });
        this.#emit("crash-loop", { error });
        return this.#finish({ state: "crash-loop", code, signal, escalated, restarts: this.#restarts, error });
      }

      const delayMs = baseDelay("exponential", restart.backoffMs, restart.maxBackoffMs, inWindow + 1);
      this.#setState("backoff");
      this.#logger.warn(`supervisor: child exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${delayMs} ms`, { reason, restart: this.#restarts + 1 });
      this.#emit("restarting", { restart: this.#restarts + 1, delayMs, restartsInWindow: inWindow });
      try {
        await this.#clock.sleep(delayMs, this.#backoffAbort.signal);
      } catch {
        return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      }
      if (this.#stopRequested) return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      this.#restartTimes.push(this.#clock.now());
      this.#restarts += 1;
    }
  }

  #spawn(): Run {
    const { command, args, cwd } = this.#options;
    const env = { ...this.#options.env, ARAL_SUPERVISOR: "1", ARAL_RESTART_COUNT: String(this.#restarts) };
    const child = this.#platform.process.spawn(command, args, { ...(cwd !== undefined ? { cwd } : {}), env, clearEnv: true, stdin: "null", stdout: "pipe", stderr: "pipe" });
    const pid = child.pid;
    const onOutput = this.#options.onOutput ?? ((output) => this.#logger.info(output.line, { stream: output.stream, pid: output.pid }));
    const forward = (stream: ReadableStream<Uint8Array> | null, name: "stdout" | "stderr"): Promise<void> =>
      stream ? forwardLines(stream, (line) => this.#guard("onOutput", () => onOutput({ stream: name, line, pid }))) : Promise.resolve();
    return {
      child,
      pid,
      ended: child.status.then(
        (status) => ({ status }),
        (error: unknown) => ({ error }),
      ),
      output: Promise.all([forward(child.stdout, "stdout"), forward(child.stderr, "stderr")]).then(() => undefined),
      sampling: new AbortController(),
      memoryExceeded: false,
    };
  }

  /** Waits for the output pipes to finish, but not forever: a grandchild may keep them open. */
  async #drain(output: Promise<void>): Promise<void> {
    const timer = new AbortController();
    await Promise.race([output, this.#clock.sleep(OUTPUT_DRAIN_MS, timer.signal).catch(() => {})]);
    timer.abort();
  }

  /** SIGTERM, then SIGKILL once shutdownTimeoutMs has passed; resolves true when it had to escalate. Once per run. */
  #terminate(run: Run): Promise<boolean> {
    run.termination ??= (async () => {
      run.child.kill("SIGTERM");
      const timer = new AbortController();
      const timedOut = await Promise.race([
        run.ended.then(() => false),
        this.#clock.sleep(this.#options.shutdownTimeoutMs, timer.signal).then(
          () => true,
          () => false,
        ),
      ]);
      timer.abort();
      if (!timedOut) return false;
      this.#logger.warn(`supervisor: child ${run.pid} still running ${this.#options.shutdownTimeoutMs} ms after SIGTERM; sending SIGKILL`, { pid: run.pid });
      this.#emit("escalated", { pid: run.pid, afterMs: this.#options.shutdownTimeoutMs });
      run.child.kill("SIGKILL");
      await run.ended;
      return true;
    })();
    return run.termination;
  }

  async #sample(run: Run): Promise<void> {
    if (run.pid <= 0 || !childUsageSupported(this.#platform)) return;
    const interval = this.#options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    const limit = this.#options.memoryLimitBytes;
    const { signal } = run.sampling;
    for (;;) {
      try {
        await this.#clock.sleep(interval, signal);
      } catch {
        return;
      }
      let usage;
      try {
        usage = await readChildUsage(this.#platform, run.pid);
      } catch (error) {
        this.#logger.warn("supervisor: cannot read the child's usage from /proc; sampling stops for this run", {
          pid: run.pid,
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      if (usage === null || signal.aborted) return;
      this.#emit("usage", usage);
      if (limit !== undefined && usage.rssBytes > limit && !this.#stopRequested) {
        run.memoryExceeded = true;
        this.#logger.warn(`supervisor: child ${run.pid} uses ${usage.rssBytes} bytes, past its limit of ${limit}; stopping it`, { pid: run.pid, rssBytes: usage.rssBytes, limitBytes: limit });
        this.#emit("memory-exceeded", { pid: run.pid, rssBytes: usage.rssBytes, limitBytes: limit });
        void this.#terminate(run);
        return;
      }
    }
  }

  #setState(state: SupervisorState): void {
    this.#state = state;
  }

  #finish(outcome: SupervisorOutcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    this.#state = outcome.state;
    this.#backoffAbort.abort();
    this.#resolveFinished(outcome);
  }

  #emit<E extends SupervisorEventName>(event: E, payload: SupervisorEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) this.#guard(`'${event}' listener`, () => listener(payload));
  }

  /** A throwing listener or output callback is logged; it never breaks supervision. A returned promise is passed on (output backpressure). */
  #guard(what: string, call: () => unknown): Promise<void> | undefined {
    const report = (error: unknown) => this.#logger.error(`supervisor: ${what} threw`, { error: error instanceof Error ? error.message : String(error) });
    try {
      const result = call();
      return result instanceof Promise ? result.then(() => undefined, report) : undefined;
    } catch (error) {
      report(error);
      return undefined;
    }
  }
}
