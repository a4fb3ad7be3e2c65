import type { RuntimeConfig } from "@aral/core";
import type { Clock } from "@aral/platform";
import { SupervisorConfigError } from "./errors.ts";
import { SUPERVISED_RUNTIMES, type SupervisedRuntime } from "./runtime-command.ts";

export interface RestartPolicy {
  /** Most restarts allowed within `windowMs`; one more needed means a crash loop. */
  maxRestarts: number;
  windowMs: number;
  /** First wait before a restart; doubles with each restart within the window, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** "failure" (default): a child that exits 0 on its own has finished, not crashed. "always": restart it too. */
  restartOn?: "failure" | "always";
}

/** The little the supervisor needs from a logger; the logging area's Logger satisfies it. */
export interface SupervisorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface OutputLine {
  readonly stream: "stdout" | "stderr";
  readonly line: string;
  readonly pid: number;
}

export interface SupervisorOptions {
  command: string;
  args?: string[];
  cwd?: string;
  /** The exact environment of the child (see childEnvironment); ARAL_SUPERVISOR and ARAL_RESTART_COUNT are added. */
  env: Record<string, string>;
  runtime: SupervisedRuntime;
  /** The agent's `layers.runtime`; informational here (runtimeCommand and supervisorSettingsFromManifest read it). */
  manifest?: RuntimeConfig;
  restart: RestartPolicy;
  /** The agent's own graceful-stop budget (`lifecycle.shutdownTimeout`): it forces its stop after this long. */
  shutdownTimeoutMs: number;
  /**
   * After SIGTERM, when the supervisor SIGKILLs everything in the instance (`lifecycle.terminationGracePeriod`).
   * Strictly later than shutdownTimeoutMs, so the agent reaches its own forced stop and stop report first;
   * default shutdownTimeoutMs + 2000.
   */
  terminationGracePeriodMs?: number;
  /** Instance name: names the instance's cgroup (`<supervisor pid>-<name>-<run>`) and its log lines. Default "agent". */
  name?: string;
  /** Memory limit of the instance: the kernel's (cgroup) where it can, else the child's RSS sampled from /proc (Linux). */
  memoryLimitBytes?: number;
  /** May the instance use swap (`resources.memory.swap: "enabled"`)? Default false. Kernel-enforced only. */
  allowSwap?: boolean;
  /** CPU quota in cores (`resources.cpu.limit`); kernel-enforced (cgroup) only. */
  cpuLimitCores?: number;
  /** CPU weight / shares in cores (`resources.cpu.request`); kernel-enforced (cgroup) only. */
  cpuRequestCores?: number;
  /** Most tasks (processes and threads) in the instance (`resources.pids.limit`); kernel-enforced (cgroup) only. */
  pidsLimit?: number;
  /** "auto" (default): a cgroup per instance where the host allows it; "off": process group and /proc sampling only. */
  cgroups?: "auto" | "off";
  /** A cgroup directory to create instance cgroups under (a delegated subtree). Default: see README. */
  cgroupParent?: string;
  /** Default 1000. */
  sampleIntervalMs?: number;
  /** Each line the child writes; without it lines go to logger.info. A returned promise pauses reading the child's output until it settles (backpressure). */
  onOutput?: (output: OutputLine) => unknown;
  logger?: SupervisorLogger;
  clock?: Clock;
}

function fail(option: string, expected: string, got: unknown): never {
  const shown =
    typeof got === "number" ? String(got) : got === undefined ? "undefined" : (JSON.stringify(got) ?? typeof got);
  throw new SupervisorConfigError(option, `Supervisor: ${option} must be ${expected}, got ${shown}`);
}

function nonNegative(option: string, value: unknown, integer = false): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    fail(option, integer ? "a non-negative integer" : "a non-negative number of milliseconds", value);
  }
}

export function validateSupervisorOptions(options: SupervisorOptions): void {
  if (options === null || typeof options !== "object") fail("options", "an object", options);
  if (typeof options.command !== "string" || options.command === "")
    fail("command", "a non-empty string", options.command);
  if (
    options.args !== undefined &&
    (!Array.isArray(options.args) || options.args.some((arg) => typeof arg !== "string"))
  ) {
    fail("args", "an array of strings", options.args);
  }
  if (options.cwd !== undefined && (typeof options.cwd !== "string" || options.cwd === ""))
    fail("cwd", "a non-empty string", options.cwd);
  if (options.env === null || typeof options.env !== "object" || Array.isArray(options.env))
    fail("env", "an object of strings", options.env);
  for (const [name, value] of Object.entries(options.env)) {
    if (typeof value !== "string") fail(`env.${name}`, "a string", value);
  }
  // The kernel's strings end at NUL: a spawn would throw inside supervision instead of naming the option.
  const texts: [string, string][] = [
    ["command", options.command],
    ...(options.args ?? []).map((arg, i): [string, string] => [`args[${i}]`, arg]),
    ...(options.cwd !== undefined ? [["cwd", options.cwd] as [string, string]] : []),
    ...Object.entries(options.env).flatMap(([name, value]): [string, string][] => [
      [`env name ${JSON.stringify(name)}`, name],
      [`env.${name}`, value],
    ]),
  ];
  for (const [option, text] of texts) if (text.includes("\0")) fail(option, "text without a NUL character", text);
  if (!SUPERVISED_RUNTIMES.includes(options.runtime))
    fail("runtime", `one of ${SUPERVISED_RUNTIMES.join(", ")}`, options.runtime);
  const restart = options.restart;
  if (restart === null || typeof restart !== "object")
    fail("restart", "an object { maxRestarts, windowMs, backoffMs, maxBackoffMs }", restart);
  nonNegative("restart.maxRestarts", restart.maxRestarts, true);
  nonNegative("restart.windowMs", restart.windowMs);
  nonNegative("restart.backoffMs", restart.backoffMs);
  nonNegative("restart.maxBackoffMs", restart.maxBackoffMs);
  if (restart.maxBackoffMs < restart.backoffMs)
    fail("restart.maxBackoffMs", `at least restart.backoffMs (${restart.backoffMs})`, restart.maxBackoffMs);
  if (restart.restartOn !== undefined && restart.restartOn !== "failure" && restart.restartOn !== "always") {
    fail("restart.restartOn", `"failure" or "always"`, restart.restartOn);
  }
  nonNegative("shutdownTimeoutMs", options.shutdownTimeoutMs);
  if (
    options.memoryLimitBytes !== undefined &&
    !(
      typeof options.memoryLimitBytes === "number" &&
      Number.isFinite(options.memoryLimitBytes) &&
      options.memoryLimitBytes > 0
    )
  ) {
    fail("memoryLimitBytes", "a positive number of bytes", options.memoryLimitBytes);
  }
  if (options.terminationGracePeriodMs !== undefined) {
    nonNegative("terminationGracePeriodMs", options.terminationGracePeriodMs);
    if (options.terminationGracePeriodMs <= options.shutdownTimeoutMs) {
      fail(
        "terminationGracePeriodMs",
        `more than shutdownTimeoutMs (${options.shutdownTimeoutMs}), so the agent reaches its own forced stop first`,
        options.terminationGracePeriodMs,
      );
    }
  }
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === ""))
    fail("name", "a non-empty string", options.name);
  for (const key of ["cpuLimitCores", "cpuRequestCores"] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0))
      fail(key, "a positive number of cores", value);
  }
  if (
    options.pidsLimit !== undefined &&
    !(typeof options.pidsLimit === "number" && Number.isInteger(options.pidsLimit) && options.pidsLimit > 0)
  ) {
    fail("pidsLimit", "a positive integer", options.pidsLimit);
  }
  if (options.allowSwap !== undefined && typeof options.allowSwap !== "boolean")
    fail("allowSwap", "a boolean", options.allowSwap);
  if (options.cgroups !== undefined && options.cgroups !== "auto" && options.cgroups !== "off")
    fail("cgroups", `"auto" or "off"`, options.cgroups);
  if (
    options.cgroupParent !== undefined &&
    (typeof options.cgroupParent !== "string" || !options.cgroupParent.startsWith("/"))
  ) {
    fail("cgroupParent", "an absolute directory path", options.cgroupParent);
  }
  if (
    options.sampleIntervalMs !== undefined &&
    !(
      typeof options.sampleIntervalMs === "number" &&
      Number.isFinite(options.sampleIntervalMs) &&
      options.sampleIntervalMs > 0
    )
  ) {
    fail("sampleIntervalMs", "a positive number of milliseconds", options.sampleIntervalMs);
  }
  if (options.onOutput !== undefined && typeof options.onOutput !== "function")
    fail("onOutput", "a function", typeof options.onOutput);
}
