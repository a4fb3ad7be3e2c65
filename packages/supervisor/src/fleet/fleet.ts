import type { Platform } from "@aral/core";
import { ConfigError, formatIssue, loadManifest } from "@aral/core/config";
import type { SupervisorLogger } from "../options.ts";
import { denoDirectoriesToCreate } from "../deno-permissions.ts";
import type { SupervisedRuntime } from "../runtime-command.ts";
import { RotatingLog } from "../logs/rotating-log.ts";
import { AgentInstance, type InstanceContext, type InstanceOutputLine, type InstanceStatus } from "./agent-instance.ts";
import { fixedHealthPort, type FleetAgentSpec, type FleetSpec } from "./fleet-file.ts";

/**
 * Why the agent's instances cannot run side by side on this machine: each one's runtime would bind the same fixed
 * health port. (An export to Kubernetes gives each replica its own address, so the fleet file itself may say so.)
 */
function sharedHealthPort(spec: FleetAgentSpec): string | undefined {
  const port = fixedHealthPort(spec.config);
  if (spec.instances < 2 || port === undefined) return undefined;
  return `${spec.instances} instances cannot all serve health on port ${port} on one machine (health.port 0 gives each a free port; readiness then comes from ready.line or ready.url)`;
}

/** How long down() waits for the logs' last write once every agent has stopped (a disk that never answers). */
const LOG_FLUSH_DEADLINE_MS = 10_000;

/** A request named an agent the fleet does not have; `agent` is the name asked for. */
export class UnknownAgentError extends Error {
  override readonly name = "UnknownAgentError";
  readonly agent: string;
  constructor(agent: string, known: readonly string[]) {
    super(`no agent named ${JSON.stringify(agent)} in this fleet (agents: ${known.join(", ")})`);
    this.agent = agent;
  }
}

export interface AgentStartReport {
  readonly agent: string;
  /** Instances ready after start. */
  readonly ready: number;
  readonly instances: number;
  /** Why the agent could not start (not every instance became ready). */
  readonly error?: string;
  /** reload() restarted the agent instead: its health port is fixed, so old and new instances cannot overlap. */
  readonly restarted?: true;
}

export interface FleetOptions {
  logger: SupervisorLogger;
  /** The environment agents' allow-lists pick from (aral's own). */
  parentEnv: Readonly<Record<string, string>>;
  /** Executable per runtime; default the runtime running aral for its own kind, else the bare name on PATH. */
  execPaths?: Partial<Record<SupervisedRuntime, string>>;
  /** The temporary directory agents may write (Deno's --allow-write); default TMPDIR of parentEnv. */
  tempDir?: string;
  /** A delegated cgroup subtree for instance cgroups; default ARAL_CGROUP_PARENT of parentEnv. */
  cgroupParent?: string;
  /** Each output line of every instance goes here instead of the agent's rotating log (`aral run`: the terminal). */
  onOutput?: (line: InstanceOutputLine) => unknown;
}

interface AgentSlot {
  /** The agent as the fleet file says, its manifest's settings as last read (start, restart, reload). */
  spec: FleetAgentSpec;
  readonly log: RotatingLog;
  instances: AgentInstance[];
  /** One restart/reload/stop of an agent at a time. */
  busy: Promise<unknown>;
  /** Why the agent could not be started at all (no instance exists), shown by status(). */
  startError?: string;
}

/**
 * Several agents, each with its instances (one Supervisor each) and its rotating log. One agent that cannot
 * start never stops the others: start() reports it, and it can be restarted later.
 */
export class Fleet {
  readonly spec: FleetSpec;
  readonly #platform: Platform;
  readonly #options: FleetOptions;
  readonly #agents = new Map<string, AgentSlot>();
  #down: Promise<void> | undefined;

  constructor(platform: Platform, spec: FleetSpec, options: FleetOptions) {
    this.#platform = platform;
    this.spec = spec;
    this.#options = options;
    for (const agent of spec.agents) {
      const log = new RotatingLog(platform, {
        dir: spec.logs.dir,
        name: agent.name,
        maxBytes: spec.logs.maxBytes,
        files: spec.logs.files,
        onWriteError: (error) =>
          options.logger.error(
            `${agent.name}: ${error.message}; its output lines are dropped (counted) until the file can be written again`,
          ),
        onWriteRecovered: (dropped) =>
          options.logger.warn(
            `${agent.name}: the log file ${log.path} is written again; ${dropped} line(s) were dropped`,
          ),
      });
      this.#agents.set(agent.name, { spec: agent, log, instances: [], busy: Promise.resolve() });
    }
  }

  get agentNames(): string[] {
    return [...this.#agents.keys()];
  }

  /** The agent's log (its files, and new lines as they come). */
  log(name: string): RotatingLog {
    return this.#slot(name).log;
  }

  /**
   * Creates the log directory and opens every agent's log file for appending, as their first lines would: rejects
   * with a LogFileError naming the directory or file and the errno code when one cannot be. Starts nothing.
   */
  async checkLogs(): Promise<void> {
    for (const slot of this.#agents.values()) await slot.log.check();
  }

  /** Starts every agent in parallel; resolves with a report per agent once each is ready or has failed. */
  start(): Promise<AgentStartReport[]> {
    return Promise.all([...this.#agents.values()].map((slot) => this.#serial(slot, () => this.#startAgent(slot))));
  }

  /** The agent's current instances (a reload replaces them). */
  instances(name: string): readonly AgentInstance[] {
    return [...this.#slot(name).instances];
  }

  status(name?: string): InstanceStatus[] {
    const slots = name === undefined ? [...this.#agents.values()] : [this.#slot(name)];
    return slots.flatMap((slot) =>
      slot.instances.length > 0
        ? slot.instances.map((instance) => instance.status())
        : [
            {
              agent: slot.spec.name,
              instance: 0,
              pid: null,
              state: slot.startError === undefined ? ("stopped" as const) : ("failed" as const),
              restarts: 0,
              uptimeMs: null,
              memoryBytes: null,
              cpuSeconds: null,
              enforcement: {},
              ...(slot.startError !== undefined ? { error: slot.startError } : {}),
            },
          ],
    );
  }

  /** Stops every instance of the agent, then starts them again (a gap in service; reload() has none). */
  restart(name: string): Promise<AgentStartReport> {
    const slot = this.#slot(name);
    return this.#serial(slot, async () => {
      const unreadable = await this.#rereadManifest(slot);
      if (unreadable) return unreadable;
      await this.#stopAgent(slot);
      return this.#startAgent(slot);
    });
  }

  /**
   * Reads the agent's manifest file again, so an edited one sets the new instances' limits as it sets their runtime's
   * configuration (they get the file itself as ARAL_MANIFEST). One that no longer reads or validates is reported and
   * nothing is stopped: the running instances keep the settings they started with.
   */
  async #rereadManifest(slot: AgentSlot): Promise<AgentStartReport | undefined> {
    const path = slot.spec.manifestPath;
    if (path === undefined) return undefined;
    try {
      slot.spec = { ...slot.spec, config: (await loadManifest(this.#platform, path)).layers.runtime };
      return undefined;
    } catch (error) {
      const reason =
        error instanceof ConfigError
          ? error.issues.slice(0, 5).map(formatIssue).join("; ")
          : error instanceof Error
            ? error.message
            : String(error);
      const message = `${slot.spec.name}: its manifest ${path} no longer reads: ${reason}; the running instances are left as they are`;
      this.#options.logger.error(message);
      return { agent: slot.spec.name, ready: slot.instances.length, instances: slot.spec.instances, error: message };
    }
  }

  /**
   * Zero downtime, one instance at a time: start its replacement, wait until the replacement is ready, then
   * stop the old one. A replacement that does not get ready is stopped and the old instance keeps running.
   * An agent whose runtime serves health on a fixed port is restarted instead: its replacement could not bind the
   * port while the old instance holds it, and the probe of that port would find the old instance ready.
   */
  reload(name: string): Promise<AgentStartReport> {
    const slot = this.#slot(name);
    return this.#serial(slot, async () => {
      const unreadable = await this.#rereadManifest(slot);
      if (unreadable) return unreadable;
      if (slot.instances.length === 0) return this.#startAgent(slot);
      const port = fixedHealthPort(slot.spec.config);
      if (port !== undefined) {
        this.#options.logger.warn(
          `${name}: reload: its health server has the fixed port ${port}, which a replacement cannot bind while the old instance runs: restarting instead (a gap in service; health.port 0 with ready.line or ready.url reloads without one)`,
        );
        await this.#stopAgent(slot);
        return { ...(await this.#startAgent(slot)), restarted: true };
      }
      let ready = 0;
      for (const [position, old] of [...slot.instances].entries()) {
        const replacement = this.#newInstance(slot, old.index);
        if (!replacement)
          return {
            agent: name,
            ready,
            instances: slot.spec.instances,
            error: "cannot create the replacement instance",
          };
        this.#options.logger.info(`${name}#${old.index}: reload: starting a replacement`);
        if (!(await replacement.start())) {
          await replacement.stop();
          const error = `reload: the replacement of ${name}#${old.index} did not get ready; the old instance keeps running`;
          this.#options.logger.error(error);
          return { agent: name, ready, instances: slot.spec.instances, error };
        }
        slot.instances[position] = replacement;
        ready += 1;
        await old.stop();
      }
      return { agent: name, ready, instances: slot.spec.instances };
    });
  }

  /** Stops every instance of the agent (SIGTERM, then the kill deadline), in parallel; the agent stays in the fleet. */
  stop(name: string): Promise<void> {
    const slot = this.#slot(name);
    return this.#serial(slot, () => this.#stopAgent(slot));
  }

  /**
   * Stops every agent in parallel and flushes their logs (a log that cannot be written drops its lines instead of
   * holding this up; a write stuck in the kernel is waited for at most LOG_FLUSH_DEADLINE_MS). Idempotent.
   */
  down(): Promise<void> {
    this.#down ??= (async () => {
      // Stop what runs now (an agent may be waiting for readiness), then whatever a start in flight adds.
      await Promise.all(
        [...this.#agents.values()].map(async (slot) => {
          await this.#stopAgent(slot);
          await slot.busy;
          await this.#stopAgent(slot);
        }),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), LOG_FLUSH_DEADLINE_MS);
      });
      const flushed = Promise.all([...this.#agents.values()].map((slot) => slot.log.flush()));
      if ((await Promise.race([flushed, deadline])) === "late")
        this.#options.logger.error(
          `logs: a write still had not finished ${LOG_FLUSH_DEADLINE_MS} ms after every agent stopped; not waiting for it`,
        );
      clearTimeout(timer);
    })();
    return this.#down;
  }

  get isDown(): boolean {
    return this.#down !== undefined;
  }

  #slot(name: string): AgentSlot {
    const slot = this.#agents.get(name);
    if (!slot) throw new UnknownAgentError(name, this.agentNames);
    return slot;
  }

  #serial<T>(slot: AgentSlot, work: () => Promise<T>): Promise<T> {
    const next = slot.busy.then(work, work);
    slot.busy = next.catch(() => {});
    return next;
  }

  #newInstance(slot: AgentSlot, index: number): AgentInstance | undefined {
    const tempDir = this.#options.tempDir ?? this.#options.parentEnv["TMPDIR"];
    const cgroupParent = this.#options.cgroupParent ?? this.#options.parentEnv["ARAL_CGROUP_PARENT"];
    const context: InstanceContext = {
      platform: this.#platform,
      agent: slot.spec,
      log: slot.log,
      logger: this.#options.logger,
      parentEnv: this.#options.parentEnv,
      execPaths: this.#options.execPaths ?? {},
      ...(tempDir ? { tempDir } : {}),
      ...(cgroupParent ? { cgroupParent } : {}),
      ...(this.#options.onOutput ? { onOutput: this.#options.onOutput } : {}),
    };
    try {
      return new AgentInstance(context, index);
    } catch (error) {
      this.#options.logger.error(
        `${slot.spec.name}#${index}: cannot start: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  async #startAgent(slot: AgentSlot): Promise<AgentStartReport> {
    const { spec } = slot;
    if (this.#down) return { agent: spec.name, ready: 0, instances: spec.instances, error: "the fleet is going down" };
    const missing =
      sharedHealthPort(spec) ?? (await this.#missingEntry(spec)) ?? (await this.#createDenoDirectories(spec));
    slot.startError = missing;
    if (missing) {
      this.#options.logger.error(`${spec.name}: cannot start: ${missing}`);
      return { agent: spec.name, ready: 0, instances: spec.instances, error: missing };
    }
    const created = Array.from({ length: spec.instances }, (_, index) => this.#newInstance(slot, index));
    if (created.some((instance) => instance === undefined)) {
      slot.startError = "cannot build the agent's command";
      return {
        agent: spec.name,
        ready: 0,
        instances: spec.instances,
        error: "cannot build the agent's command (see the log above)",
      };
    }
    if (this.#down) return { agent: spec.name, ready: 0, instances: spec.instances, error: "the fleet is going down" };
    slot.instances = created as AgentInstance[];
    const results = await Promise.all(slot.instances.map((instance) => instance.start()));
    const ready = results.filter(Boolean).length;
    if (ready === spec.instances) return { agent: spec.name, ready, instances: spec.instances };
    const reasons = slot.instances
      .map((instance) => instance.status())
      .filter((status) => status.error !== undefined || status.pid === null);
    const error =
      reasons
        .map((status) => `#${status.instance} ${status.state}${status.error ? `: ${status.error}` : ""}`)
        .join("; ") || "not ready within ready.timeoutMs";
    this.#options.logger.error(`${spec.name}: ${ready} of ${spec.instances} instance(s) ready: ${error}`);
    return { agent: spec.name, ready, instances: spec.instances, error };
  }

  async #stopAgent(slot: AgentSlot): Promise<void> {
    const instances = slot.instances;
    await Promise.all(instances.map((instance) => instance.stop()));
  }

  /** An entry that is not there: said plainly, before any runtime prints its own stack trace. */
  async #missingEntry(spec: FleetAgentSpec): Promise<string | undefined> {
    const paths = [spec.entry, spec.cwd].filter((path): path is string => path !== undefined);
    for (const path of paths) {
      if (!(await this.#platform.fs.exists(path)))
        return `${path === spec.entry ? "entry" : "cwd"} ${path} does not exist`;
    }
    return undefined;
  }

  /** A Deno agent may write its audit log but not create its directory (denoPermissionPaths): aral does it first. */
  async #createDenoDirectories(spec: FleetAgentSpec): Promise<string | undefined> {
    if (spec.runtime !== "deno") return undefined;
    for (const directory of denoDirectoriesToCreate(spec.config)) {
      const path = directory.startsWith("/") ? directory : `${spec.cwd}/${directory}`;
      try {
        await this.#platform.fs.mkdir(path, { recursive: true });
      } catch (error) {
        return `logging.audit.path's directory ${path} cannot be created: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return undefined;
  }
}
