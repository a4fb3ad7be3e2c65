import type { Platform } from "@aral/core";
import { childUsageSupported } from "../child-usage.ts";
import { childEnvironment } from "../child-environment.ts";
import type { SupervisorOutcome, SupervisorState } from "../events.ts";
import { supervisorSettingsFromManifest } from "../manifest-settings.ts";
import type { SupervisorLogger } from "../options.ts";
import { runtimeCommand, type SupervisedRuntime } from "../runtime-command.ts";
import { Supervisor } from "../supervisor.ts";
import type { RotatingLog } from "../logs/rotating-log.ts";
import type { FleetAgentSpec } from "./fleet-file.ts";
import { readinessProbe, waitReady } from "./readiness.ts";

/** How each limit of an instance is held; the supervisor's own report where it offers one. */
export type EnforcementSummary = Record<string, unknown>;

export interface InstanceStatus {
  readonly agent: string;
  readonly instance: number;
  readonly pid: number | null;
  readonly state: SupervisorState;
  readonly restarts: number;
  /** Milliseconds since the current process started, or null between runs. */
  readonly uptimeMs: number | null;
  readonly memoryBytes: number | null;
  /** CPU time of the current process, in seconds. */
  readonly cpuSeconds: number | null;
  readonly enforcement: EnforcementSummary;
  /** Why the instance is not running, when it failed. */
  readonly error?: string;
}

export interface InstanceContext {
  readonly platform: Platform;
  readonly agent: FleetAgentSpec;
  readonly log: RotatingLog;
  readonly logger: SupervisorLogger;
  readonly parentEnv: Readonly<Record<string, string>>;
  readonly execPaths: Partial<Record<SupervisedRuntime, string>>;
  /** The temporary directory the agent may write (Deno's --allow-write): TMPDIR of aral's environment. */
  readonly tempDir?: string;
  /** A delegated cgroup subtree to create instance cgroups under (ARAL_CGROUP_PARENT). */
  readonly cgroupParent?: string;
  /** Where each output line goes instead of the agent's log (`aral run`: the terminal). */
  readonly onOutput?: (line: InstanceOutputLine) => unknown;
}

export interface InstanceOutputLine {
  readonly agent: string;
  readonly instance: number;
  readonly stream: "stdout" | "stderr";
  readonly line: string;
}

/** The command line of an agent: its runtime's (entry agents) or its own (command agents). */
export function agentCommand(context: InstanceContext): string[] {
  const { agent, platform, execPaths } = context;
  if (agent.command) return [...agent.command, ...agent.args];
  const runtime = agent.runtime!;
  const own = platform.runtime.name === runtime ? { [runtime]: platform.process.execPath } : {};
  return runtimeCommand(runtime, agent.entry!, {
    manifest: agent.config,
    execPaths: { ...own, ...execPaths },
    args: [...agent.args],
    ...(context.tempDir !== undefined ? { tempDir: context.tempDir } : {}),
    ...(agent.manifestPath !== undefined ? { extraReadPaths: [agent.manifestPath] } : {}),
  });
}

/** Distinguishes every instance this process creates (a reload's replacement shares the old one's index). */
let instanceSerial = 0;

/** One running copy of an agent: its Supervisor, its output into the agent's log, its usage and readiness. */
export class AgentInstance {
  readonly index: number;
  readonly supervisor: Supervisor;
  readonly #context: InstanceContext;
  #startedAt: number | null = null;
  #usage: { rssBytes: number; cpuMicros: number | null } | null = null;
  #lineWatch: { text: string; resolve: () => void } | undefined;
  #error: string | undefined;

  constructor(context: InstanceContext, index: number) {
    this.#context = context;
    this.index = index;
    const { agent, log, logger, platform } = context;
    const settings = supervisorSettingsFromManifest(agent.config);
    const [command, ...args] = agentCommand(context);
    const env: Record<string, string> = {
      ...childEnvironment(context.parentEnv, { allow: agent.env }),
      ARAL_AGENT: agent.name,
      ARAL_INSTANCE: String(index),
    };
    if (agent.manifestPath !== undefined) env["ARAL_MANIFEST"] = agent.manifestPath;
    // the fleet file's own settings win over ARAL_* variables inherited from aral's environment
    Object.assign(env, agent.inlineSettings);
    const tag = `${agent.name}#${index}`;
    this.supervisor = new Supervisor(platform, {
      // names the instance's own cgroup: unique, or instances would share (and stop) one another's
      name: `${agent.name}-${index}-${++instanceSerial}`,
      command: command!,
      args,
      cwd: agent.cwd,
      env,
      // informational for the supervisor; a command agent (python3 ...) is not run by one of the three
      runtime: agent.runtime ?? "node",
      manifest: agent.config,
      restart: {
        maxRestarts: agent.maxRestarts,
        windowMs: agent.restartWindowMs,
        backoffMs: settings.backoffMs,
        maxBackoffMs: settings.maxBackoffMs,
      },
      shutdownTimeoutMs: settings.shutdownTimeoutMs,
      terminationGracePeriodMs: settings.terminationGracePeriodMs,
      allowSwap: settings.allowSwap,
      ...(settings.memoryLimitBytes !== undefined ? { memoryLimitBytes: settings.memoryLimitBytes } : {}),
      ...(settings.cpuLimitCores !== undefined ? { cpuLimitCores: settings.cpuLimitCores } : {}),
      ...(settings.cpuRequestCores !== undefined ? { cpuRequestCores: settings.cpuRequestCores } : {}),
      ...(settings.pidsLimit !== undefined ? { pidsLimit: settings.pidsLimit } : {}),
      ...(context.cgroupParent !== undefined ? { cgroupParent: context.cgroupParent } : {}),
      onOutput: ({ stream, line }) => {
        const watch = this.#lineWatch;
        if (watch && line.includes(watch.text)) {
          this.#lineWatch = undefined;
          watch.resolve();
        }
        if (context.onOutput) return context.onOutput({ agent: agent.name, instance: index, stream, line });
        return log.write(`${new Date().toISOString()} ${tag} ${stream === "stdout" ? "out" : "err"} ${line}`);
      },
      logger: {
        info: (message, fields) => logger.info(`${tag}: ${message}`, fields),
        warn: (message, fields) => logger.warn(`${tag}: ${message}`, fields),
        error: (message, fields) => {
          this.#error = message.replace(/^supervisor: /, "");
          logger.error(`${tag}: ${message}`, fields);
        },
      },
    });
    this.supervisor.on("started", () => {
      this.#startedAt = Date.now();
      this.#usage = null;
    });
    this.supervisor.on("exited", () => (this.#startedAt = null));
    this.supervisor.on(
      "usage",
      (usage) => (this.#usage = { rssBytes: usage.rssBytes, cpuMicros: usage.cpuMicros ?? null }),
    );
  }

  /** Starts the process; resolves true once it is ready (see readinessProbe), false if it ended or timed out first. */
  async start(): Promise<boolean> {
    const probe = readinessProbe(this.#context.agent, this.index);
    const lineSeen = new Promise<void>((resolve) => {
      if (probe.kind === "line") this.#lineWatch = { text: probe.text, resolve };
    });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#context.agent.ready.timeoutMs);
    const offExit = this.supervisor.on("exited", () => abort.abort());
    void this.supervisor.finished().then(() => abort.abort());
    let offStarted = (): void => {};
    const started = new Promise<void>((resolve) => {
      offStarted = this.supervisor.on("started", () => resolve());
    });
    try {
      this.supervisor.start();
      if (probe.kind !== "startup") return await waitReady(this.#context.platform, probe, lineSeen, abort.signal);
      // "Stayed up this long": counted from the spawn, and true only if that same child is still running. The
      // "exited" event comes after the run's cleanup (cgroup removal, output drained), which can take longer than
      // startupMs: an agent that exited at once was reported ready ("3 instance(s) ready"), and a reload stopped
      // the old instance for a replacement that had already crashed.
      await Promise.race([
        started,
        new Promise((resolve) => abort.signal.addEventListener("abort", resolve, { once: true })),
      ]);
      if (abort.signal.aborted) return false;
      const { pid, restarts } = this.supervisor;
      const waited = await waitReady(this.#context.platform, probe, lineSeen, abort.signal);
      return (
        waited && this.supervisor.childRunning && this.supervisor.pid === pid && this.supervisor.restarts === restarts
      );
    } finally {
      clearTimeout(timer);
      offExit();
      offStarted();
      this.#lineWatch = undefined;
    }
  }

  stop(): Promise<unknown> {
    return this.supervisor.stop();
  }

  finished(): Promise<SupervisorOutcome> {
    return this.supervisor.finished();
  }

  status(): InstanceStatus {
    const supervisor = this.supervisor;
    const running = supervisor.pid !== undefined && this.#startedAt !== null;
    return {
      agent: this.#context.agent.name,
      instance: this.index,
      pid: supervisor.pid ?? null,
      state: supervisor.state,
      restarts: supervisor.restarts,
      uptimeMs: running ? Date.now() - this.#startedAt! : null,
      memoryBytes: running ? (this.#usage?.rssBytes ?? null) : null,
      cpuSeconds: running && this.#usage?.cpuMicros != null ? this.#usage.cpuMicros / 1e6 : null,
      enforcement: this.#enforcement(),
      ...(this.#error !== undefined && !running ? { error: this.#error } : {}),
    };
  }

  /** The supervisor's own enforcement report when it has one (kernel-enforced limits), else what sampling gives. */
  #enforcement(): EnforcementSummary {
    const reported = (this.supervisor as unknown as { enforcement?: unknown }).enforcement;
    if (reported && typeof reported === "object") return { ...(reported as Record<string, unknown>) };
    const { resources } = this.#context.agent.config;
    const sampled = childUsageSupported(this.#context.platform) ? "sampled" : "not enforced";
    return {
      mechanism: "none",
      memory: resources.memory.limit === undefined ? "unset" : sampled,
      cpuLimit: resources.cpu.limit === undefined ? "unset" : "not enforced",
    };
  }
}
