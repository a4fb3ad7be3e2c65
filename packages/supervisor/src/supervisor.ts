import { systemClock, type Clock } from "@aral/platform";
import type { ChildProcess, ExitStatus, Platform } from "@aral/platform";
import { baseDelay } from "@aral/core/resilience";
import { childUsageSupported, readChildUsage, type ChildUsage } from "./child-usage.ts";
import { CgroupSetupError, InstanceCgroup } from "./cgroup/instance-cgroup.ts";
import type { CgroupLimits } from "./cgroup/limits.ts";
import { instanceCgroupName, removeEmptyParents } from "./cgroup/reap.ts";
import { describeEnforcement, type EnforcementReport } from "./enforcement.ts";
import {
  enforcementReport,
  findExecutable,
  isolatedCommand,
  planIsolation,
  reapOnce,
  type IsolationPlan,
} from "./isolation.ts";
import { signalProcesses } from "./signal-processes.ts";
import { reapLeftoverProcessGroups, recordDir, writeProcessGroupRecord } from "./process-group-records.ts";
import { CrashLoopError, SupervisorStateError } from "./errors.ts";
import type {
  ExitReason,
  StopResult,
  SupervisorEventName,
  SupervisorEvents,
  SupervisorOutcome,
  SupervisorState,
} from "./events.ts";
import { validateSupervisorOptions, type SupervisorLogger, type SupervisorOptions } from "./options.ts";
import { forwardLines } from "./output-lines.ts";
import { DEFAULT_TERMINATION_MARGIN_MS } from "./manifest-settings.ts";

const DEFAULT_SAMPLE_INTERVAL_MS = 1_000;
/** Reasons already said loudly in this process: a fleet of instances says each once. */
const announced = new Set<string>();
/** After the child exits, how long its output pipes may take to drain (a grandchild can hold them open). */
const OUTPUT_DRAIN_MS = 250;
const OUTPUT_DRAIN_MAX_MS = 10_000;
/** Once per process: the process groups dead supervisors left where there were no cgroups. */
let reapingGroups: Promise<Awaited<ReturnType<typeof reapLeftoverProcessGroups>>> | undefined;

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
  /** Lines forwarded so far, and deliveries whose onOutput promise (the reader's backpressure) is still pending. */
  readonly delivery: { lines: number; paused: number };
  readonly sampling: AbortController;
  /** The instance's cgroup, or undefined (no cgroups here). */
  readonly cgroup: InstanceCgroup | undefined;
  /** The agent leads its own process group (setsid): the group can be signalled as a whole. */
  readonly processGroup: boolean;
  /** The run's process-group record (no cgroup): what the next supervisor reaps should this one die. */
  groupRecord?: Promise<string | undefined>;
  memoryExceeded: boolean;
  termination?: Promise<boolean>;
  /** The child has exited (set at once; the run's cleanup and the "exited" event come after it). */
  exited: boolean;
}

type Listener<E extends SupervisorEventName> = (payload: SupervisorEvents[E]) => void;

/**
 * Runs one agent instance and keeps it running: restarts it with exponential backoff after an unexpected
 * exit (an OOM kill included), stops a crash loop, holds its limits in its own cgroup where the host allows
 * (else samples memory from /proc), and stops it gracefully (one SIGTERM, then SIGKILL to the whole instance
 * at terminationGracePeriodMs). Uses the Platform it is handed, plus cgroupfs files and util-linux
 * setsid/setpriv through it.
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
  #plan: IsolationPlan | undefined;
  #enforcement: EnforcementReport | undefined;
  #usage: ChildUsage | undefined;
  #runNumber = 0;
  #resolveFinished!: (outcome: SupervisorOutcome) => void;
  readonly #finished = new Promise<SupervisorOutcome>((resolve) => (this.#resolveFinished = resolve));

  constructor(platform: Platform, options: SupervisorOptions) {
    validateSupervisorOptions(options);
    this.#platform = platform;
    this.#options = {
      ...options,
      args: [...(options.args ?? [])],
      env: { ...options.env },
      restart: { ...options.restart },
    };
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

  /** How the limits are held (kernel, sampled, not enforced): known once the first instance has been started. */
  get enforcement(): EnforcementReport | undefined {
    return this.#enforcement;
  }

  /**
   * Whether the current child is running now: false from the moment it exits, while its run is still being cleaned up
   * (`pid` and `state` change only after that, with the "exited" event).
   */
  get childRunning(): boolean {
    return this.#run !== undefined && !this.#run.exited;
  }

  /** The latest usage sample of the running instance (its cgroup's accounting where there is one), or undefined. */
  get usage(): ChildUsage | undefined {
    return this.#run ? this.#usage : undefined;
  }

  /** After SIGTERM, when everything left in the instance is SIGKILLed. */
  get terminationGracePeriodMs(): number {
    return this.#options.terminationGracePeriodMs ?? this.#options.shutdownTimeoutMs + DEFAULT_TERMINATION_MARGIN_MS;
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
    if (this.#state !== "idle")
      throw new SupervisorStateError(this.#state, `Supervisor.start: already started (state "${this.#state}")`);
    this.#setState("running");
    void this.#supervise().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      // said in the line itself: a logger that prints messages only (aral up's) would hide why
      this.#logger.error(`supervisor: internal failure: ${message}`, { error: message });
      this.#finish({
        state: "failed",
        code: null,
        signal: null,
        escalated: false,
        restarts: this.#restarts,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    });
  }

  /** Resolves when supervision has ended for good. */
  finished(): Promise<SupervisorOutcome> {
    return this.#finished;
  }

  /**
   * One SIGTERM to the agent; SIGKILL to everything in the instance at terminationGracePeriodMs; no restart
   * afterwards. Idempotent: however often it is called, the agent gets one signal. Resolves with how it ended.
   */
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
    this.#plan = await this.#planIsolation();
    for (;;) {
      if (this.#stopRequested)
        return this.#finish({ state: "stopped", code: null, signal: null, escalated: false, restarts: this.#restarts });
      const run = await this.#spawn();
      this.#run = run;
      if (!this.#stopRequested) this.#setState("running");
      this.#emit("started", { pid: run.pid, restarts: this.#restarts });
      void this.#sample(run);
      if (this.#stopRequested) void this.#terminate(run);
      if (run.processGroup && !run.cgroup) run.groupRecord = this.#recordGroup(run);

      const ended = await run.ended;
      run.sampling.abort();
      const oomKilled = await this.#oomKilled(run);
      // Nothing of the instance outlives its agent: grandchildren are killed (they may hold the output pipes open).
      await this.#killRemaining(run);
      const record = await run.groupRecord;
      if (record !== undefined) await this.#platform.fs.remove(record).catch(() => undefined);
      await this.#drain(run);
      const escalated = run.termination ? await run.termination : false;
      await this.#removeCgroup(run);
      // Only now: closing the watcher's pipe while the agent ran would read as "the supervisor died".
      // abort, not close: nobody reads the pipe any more, and a close could wait for a flush that never comes.
      void run.child.stdin?.abort().catch(() => undefined);
      this.#run = undefined;
      this.#usage = undefined;
      const status = "status" in ended ? ended.status : undefined;
      const code = status?.code ?? null;
      const signal = status?.signal ?? null;
      const reason: ExitReason = !status
        ? "spawn-failed"
        : this.#stopRequested
          ? "stop"
          : oomKilled
            ? "oom-killed"
            : run.memoryExceeded
              ? "memory-exceeded"
              : "exit";
      this.#emit("exited", {
        pid: run.pid,
        code,
        signal,
        reason,
        escalated,
        ...("error" in ended ? { error: ended.error } : {}),
      });

      if ("error" in ended) {
        const error = ended.error instanceof Error ? ended.error : new Error(String(ended.error));
        this.#logger.error(`supervisor: cannot start '${this.#options.command}': ${error.message}`, {
          command: this.#options.command,
        });
        return this.#finish({ state: "failed", code, signal, escalated, restarts: this.#restarts, error });
      }
      if (this.#stopRequested)
        return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      if (code === 0 && reason === "exit" && restart.restartOn !== "always") {
        // said, so an operator can tell an agent that finished from one that was stopped
        this.#logger.info(
          "supervisor: child exited with code 0 by itself: finished, not restarted (restartOn: failure)",
        );
        return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      }

      const now = this.#clock.now();
      this.#restartTimes = this.#restartTimes.filter((time) => now - time < restart.windowMs);
      const inWindow = this.#restartTimes.length;
      if (inWindow >= restart.maxRestarts) {
        const error = new CrashLoopError({
          restartsInWindow: inWindow,
          maxRestarts: restart.maxRestarts,
          windowMs: restart.windowMs,
          lastExit: { code, signal },
        });
        this.#setState("crash-loop");
        this.#logger.error(`supervisor: ${error.message}`, { code, signal, restarts: this.#restarts });
        this.#emit("crash-loop", { error });
        return this.#finish({ state: "crash-loop", code, signal, escalated, restarts: this.#restarts, error });
      }

      const delayMs = baseDelay("exponential", restart.backoffMs, restart.maxBackoffMs, inWindow + 1);
      this.#setState("backoff");
      this.#logger.warn(
        `supervisor: child exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${delayMs} ms`,
        { reason, restart: this.#restarts + 1 },
      );
      this.#emit("restarting", { restart: this.#restarts + 1, delayMs, restartsInWindow: inWindow });
      try {
        await this.#clock.sleep(delayMs, this.#backoffAbort.signal);
      } catch {
        return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      }
      if (this.#stopRequested)
        return this.#finish({ state: "stopped", code, signal, escalated, restarts: this.#restarts });
      this.#restartTimes.push(this.#clock.now());
      this.#restarts += 1;
    }
  }

  /** Finds what the host offers, reaps what dead supervisors left, and says once how the limits are held. */
  async #planIsolation(): Promise<IsolationPlan> {
    const options = this.#options;
    const plan = await planIsolation(this.#platform, {
      ...(options.cgroups !== undefined ? { cgroups: options.cgroups } : {}),
      ...(options.cgroupParent !== undefined ? { cgroupParent: options.cgroupParent } : {}),
      ...(options.env["PATH"] !== undefined ? { path: options.env["PATH"] } : {}),
    });
    if (plan.notice !== undefined && !announced.has(plan.notice)) {
      announced.add(plan.notice);
      this.#logger.warn(`supervisor: ${plan.notice}`, { notice: plan.notice });
    }
    // Records exist only for runs without a cgroup; the host may refuse cgroups only once one is created.
    // The first supervisor of the process reaps, and reports; the others wait for it and say nothing.
    const reapsGroups = reapingGroups === undefined;
    reapingGroups ??= recordDir(this.#platform)
      .then((dir) => reapLeftoverProcessGroups(this.#platform, this.#clock, dir))
      .catch(() => []);
    const groups = (await reapingGroups).filter((group) => reapsGroups && group.outcome !== "gone");
    if (groups.length > 0)
      this.#logger.warn(
        `supervisor: reaped ${groups.length} process group(s) a dead supervisor left behind (${groups.map((g) => `${g.pid}: ${g.outcome === "killed" ? "ended" : "pid reused by another process, left alone"}`).join(", ")})`,
        { groups },
      );
    if (plan.host) {
      const reaped = await reapOnce(this.#platform, this.#clock, plan.host);
      if (reaped.length > 0)
        this.#logger.warn(`supervisor: reaped ${reaped.length} instance cgroup(s) a dead supervisor left behind`, {
          cgroups: reaped,
        });
    }
    return plan;
  }

  #limits(): CgroupLimits {
    const { memoryLimitBytes, allowSwap, cpuLimitCores, cpuRequestCores, pidsLimit } = this.#options;
    return {
      swap: allowSwap ?? false,
      ...(memoryLimitBytes !== undefined ? { memoryBytes: memoryLimitBytes } : {}),
      ...(cpuLimitCores !== undefined ? { cpuLimitCores } : {}),
      ...(cpuRequestCores !== undefined ? { cpuRequestCores } : {}),
      ...(pidsLimit !== undefined ? { pidsLimit } : {}),
    };
  }

  /** The instance's cgroup for this run; on a host that refuses it, undefined and the fallback is announced. */
  async #createCgroup(plan: IsolationPlan): Promise<InstanceCgroup | undefined> {
    this.#runNumber += 1;
    if (!plan.host) return undefined;
    const name = instanceCgroupName(this.#platform.process.pid, this.#options.name ?? "agent", this.#runNumber);
    try {
      return await InstanceCgroup.create(this.#platform, this.#clock, plan.host, name, this.#limits());
    } catch (error) {
      if (!(error instanceof CgroupSetupError)) throw error;
      this.#plan = { ...plan, host: undefined, cgroupReason: error.message };
      return undefined;
    }
  }

  #announce(report: EnforcementReport): void {
    if (this.#enforcement) return;
    this.#enforcement = report;
    const fallback =
      report.mechanism === "none" &&
      [report.memory, report.swap, report.cpuLimit, report.cpuRequest, report.pids].some(
        (how) => how !== "unset" && how !== "kernel",
      );
    const message = `supervisor: limits \u2014 ${describeEnforcement(report)}`;
    if (fallback) {
      // Once per process for the same limits: the reason names the instance's own cgroup, so it is not part of the key.
      const key = describeEnforcement({ ...report, reason: "" });
      if (!announced.has(key)) {
        announced.add(key);
        this.#logger.warn(
          `${message}. These limits are NOT kernel-enforced: cgroups need root or a delegated subtree (ARAL_CGROUP_PARENT)`,
          { enforcement: report },
        );
      }
    } else {
      this.#logger.info(message, { enforcement: report });
    }
    this.#emit("enforcement", report);
  }

  async #spawn(): Promise<Run> {
    const { args, cwd } = this.#options;
    const env: Record<string, string> = {
      ...this.#options.env,
      ARAL_SUPERVISOR: "1",
      ARAL_RESTART_COUNT: String(this.#restarts),
      ARAL_SUPERVISOR_PID: String(this.#platform.process.pid),
    };
    const cgroup = await this.#createCgroup(this.#plan!);
    const plan = this.#plan!;
    this.#announce(
      enforcementReport(plan, this.#limits(), cgroup?.enforced, {
        memorySampled: childUsageSupported(this.#platform),
        ...(plan.cgroupReason !== undefined ? { reason: plan.cgroupReason } : {}),
      }),
    );
    // A command that cannot be found is spawned as is, so the Platform reports NotFound as it always did.
    const resolved = await findExecutable(
      this.#platform,
      this.#options.command,
      env["PATH"] ?? this.#platform.env.get("PATH") ?? "",
    );
    const isolated = resolved !== undefined && this.#platform.runtime.os === "linux";
    const { command, args: spawnArgs } = isolated
      ? isolatedCommand(plan, cgroup?.procsFiles ?? [], resolved, args ?? [], env, this.terminationGracePeriodMs)
      : { command: this.#options.command, args: args ?? [] };
    // With the supervisor-death watcher the child's stdin is a pipe nothing is written to: it closes when we die.
    const watched = isolated && plan.setsid !== undefined;
    const child = this.#platform.process.spawn(command, spawnArgs, {
      ...(cwd !== undefined ? { cwd } : {}),
      env,
      clearEnv: true,
      stdin: watched ? "pipe" : "null",
      stdout: "pipe",
      stderr: "pipe",
    });
    const pid = child.pid;
    const onOutput =
      this.#options.onOutput ??
      ((output) => this.#logger.info(output.line, { stream: output.stream, pid: output.pid }));
    const delivery = { lines: 0, paused: 0 };
    const deliver = (name: "stdout" | "stderr", line: string): Promise<void> | undefined => {
      delivery.lines++;
      const pending = this.#guard("onOutput", () => onOutput({ stream: name, line, pid }));
      if (pending === undefined) return undefined;
      delivery.paused++;
      return pending.finally(() => void delivery.paused--);
    };
    const forward = (stream: ReadableStream<Uint8Array> | null, name: "stdout" | "stderr"): Promise<void> =>
      stream ? forwardLines(stream, (line) => deliver(name, line)) : Promise.resolve();
    const run: Run = {
      child,
      pid,
      ended: child.status.then(
        (status) => ({ status }),
        (error: unknown) => ({ error }),
      ),
      output: Promise.all([forward(child.stdout, "stdout"), forward(child.stderr, "stderr")]).then(() => undefined),
      delivery,
      sampling: new AbortController(),
      cgroup,
      processGroup: watched && pid > 0,
      memoryExceeded: false,
      exited: false,
    };
    void run.ended.then(() => (run.exited = true));
    return run;
  }

  /** Records the run's process group for the next supervisor, should this one die; a failure is said, not fatal. */
  async #recordGroup(run: Run): Promise<string | undefined> {
    const name = instanceCgroupName(this.#platform.process.pid, this.#options.name ?? "agent", this.#runNumber);
    try {
      return await writeProcessGroupRecord(this.#platform, name, run.pid, this.terminationGracePeriodMs);
    } catch (error) {
      this.#logger.warn("supervisor: cannot record the process group; a supervisor after a crash cannot reap it", {
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }

  async #oomKilled(run: Run): Promise<boolean> {
    if (!run.cgroup) return false;
    const oomKills = await run.cgroup.oomKills();
    if (oomKills === 0) return false;
    const peakBytes = (await run.cgroup.usage())?.memoryPeakBytes ?? null;
    const limitBytes = this.#options.memoryLimitBytes;
    this.#logger.warn(
      `supervisor: the kernel OOM-killed ${oomKills} process(es) of instance ${run.pid} at its memory limit of ${limitBytes ?? "?"} bytes`,
      { pid: run.pid, oomKills, limitBytes, peakBytes },
    );
    this.#emit("oom-killed", { pid: run.pid, oomKills, limitBytes, peakBytes });
    return true;
  }

  /** SIGKILL to every process left in the instance: its cgroup, else its process group. */
  async #killRemaining(run: Run): Promise<void> {
    if (run.cgroup) await run.cgroup.kill();
    else if (run.processGroup) await signalProcesses(this.#platform, "KILL", [-run.pid]);
  }

  async #removeCgroup(run: Run): Promise<void> {
    if (!run.cgroup) return;
    if (!(await run.cgroup.remove())) {
      this.#logger.warn("supervisor: could not remove the instance cgroup", { directories: run.cgroup.directories });
    } else if (this.#options.cgroupParent === undefined && this.#plan?.host) {
      await removeEmptyParents(this.#platform, this.#plan.host);
    }
  }

  /**
   * Waits for the output pipes to finish, but not forever: something may keep them open. It gives up after
   * OUTPUT_DRAIN_MS without a line (and after OUTPUT_DRAIN_MAX_MS of lines), unless the lines are held by onOutput's
   * backpressure (a slow reader of aral run's own output): what the agent wrote before it ended is all delivered,
   * at the reader's pace.
   */
  async #drain(run: Run): Promise<void> {
    let finished = false;
    const output = run.output.then(() => void (finished = true));
    const deadline = this.#clock.now() + OUTPUT_DRAIN_MAX_MS;
    let seen = -1;
    const flowing = () => run.delivery.lines !== seen && this.#clock.now() < deadline;
    while (!finished && (run.delivery.paused > 0 || flowing())) {
      seen = run.delivery.lines;
      const timer = new AbortController();
      await Promise.race([output, this.#clock.sleep(OUTPUT_DRAIN_MS, timer.signal).catch(() => {})]);
      timer.abort();
    }
  }

  /**
   * One SIGTERM to the agent; if it has not exited by terminationGracePeriodMs (later than its own
   * shutdownTimeout), SIGKILL to the whole instance. Resolves true when it had to escalate. Once per run.
   */
  #terminate(run: Run): Promise<boolean> {
    run.termination ??= (async () => {
      run.child.kill("SIGTERM");
      const graceMs = this.terminationGracePeriodMs;
      const timer = new AbortController();
      const timedOut = await Promise.race([
        run.ended.then(() => false),
        this.#clock.sleep(graceMs, timer.signal).then(
          () => true,
          () => false,
        ),
      ]);
      timer.abort();
      if (!timedOut) return false;
      this.#logger.warn(
        `supervisor: child ${run.pid} still running ${graceMs} ms after SIGTERM; sending SIGKILL to the instance`,
        { pid: run.pid },
      );
      this.#emit("escalated", { pid: run.pid, afterMs: graceMs });
      run.child.kill("SIGKILL");
      await this.#killRemaining(run);
      await run.ended;
      return true;
    })();
    return run.termination;
  }

  async #sample(run: Run): Promise<void> {
    const kernelMemory = this.#enforcement?.memory === "kernel";
    if (run.pid <= 0 || (!run.cgroup && !childUsageSupported(this.#platform))) return;
    const interval = this.#options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    const limit = this.#options.memoryLimitBytes;
    const { signal } = run.sampling;
    for (;;) {
      try {
        await this.#clock.sleep(interval, signal);
      } catch {
        return;
      }
      let usage: ChildUsage | null;
      try {
        usage = run.cgroup ? await this.#cgroupUsage(run) : await readChildUsage(this.#platform, run.pid);
      } catch (error) {
        this.#logger.warn("supervisor: cannot read the child's usage; sampling stops for this run", {
          pid: run.pid,
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      if (usage === null || signal.aborted) return;
      this.#usage = usage;
      this.#emit("usage", usage);
      // Where the kernel holds the memory limit it OOM-kills at the limit; sampling only reports.
      if (!kernelMemory && limit !== undefined && usage.rssBytes > limit && !this.#stopRequested) {
        run.memoryExceeded = true;
        this.#logger.warn(
          `supervisor: child ${run.pid} uses ${usage.rssBytes} bytes, past its limit of ${limit}; stopping it`,
          { pid: run.pid, rssBytes: usage.rssBytes, limitBytes: limit },
        );
        this.#emit("memory-exceeded", { pid: run.pid, rssBytes: usage.rssBytes, limitBytes: limit });
        void this.#terminate(run);
        return;
      }
    }
  }

  async #cgroupUsage(run: Run): Promise<ChildUsage | null> {
    const usage = await run.cgroup!.usage();
    if (!usage) return null;
    return {
      pid: run.pid,
      source: "cgroup",
      rssBytes: usage.memoryBytes,
      memoryPeakBytes: usage.memoryPeakBytes,
      cpuMicros: usage.cpuMicros,
      pids: usage.pids,
    };
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
    for (const listener of this.#listeners.get(event) ?? [])
      this.#guard(`'${event}' listener`, () => listener(payload));
  }

  /** A throwing listener or output callback is logged; it never breaks supervision. A returned promise is passed on (output backpressure). */
  #guard(what: string, call: () => unknown): Promise<void> | undefined {
    const report = (error: unknown) =>
      this.#logger.error(`supervisor: ${what} threw`, {
        error: error instanceof Error ? error.message : String(error),
      });
    try {
      const result = call();
      return result instanceof Promise ? result.then(() => undefined, report) : undefined;
    } catch (error) {
      report(error);
      return undefined;
    }
  }
}
