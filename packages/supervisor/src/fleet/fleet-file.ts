import { ConfigError } from "@aral/core/config";
import {
  readConfigFile,
  loadManifest,
  parseManifestText,
  settingsVariables,
  validateRuntimeOptions,
} from "@aral/core/config";
import { parseBytes } from "@aral/core/resources";
import type { ConfigIssue, RuntimeConfig } from "@aral/core";
import type { Platform } from "@aral/platform";
import { SUPERVISED_RUNTIMES, type SupervisedRuntime } from "../runtime-command.ts";

/** How an instance shows it is ready (reload waits for it before stopping the old instance). */
export interface ReadinessSpec {
  /** Ready once the instance writes a line containing this text. */
  line?: string;
  /** Ready once GET on this URL answers 2xx (`{instance}` is replaced by the instance number). */
  url?: string;
  /** Neither line nor url: ready once the instance has stayed up this long. Default 1000. */
  startupMs: number;
  /** Past this the new instance counts as not ready (reload fails, the old instance keeps serving). Default 30000. */
  timeoutMs: number;
}

export interface FleetAgentSpec {
  readonly name: string;
  /** Set when the agent is an `entry` run by node, deno or bun. */
  readonly runtime: SupervisedRuntime | undefined;
  /** Absolute path of the entry (runtime agents). */
  readonly entry: string | undefined;
  /** Any command (first element the executable), e.g. ["python3", "agent.py"]. */
  readonly command: readonly string[] | undefined;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly instances: number;
  /** The agent's `layers.runtime`, defaults filled in (from `manifest` or inline `layers.runtime`). */
  readonly config: RuntimeConfig;
  readonly manifestPath: string | undefined;
  /**
   * Inline `layers.runtime` as the ARAL_* variables each instance is given, so the agent's runtime applies what the
   * supervisor does (health on a fixed port for readiness, tasks, retries...). None for a manifest file: ARAL_MANIFEST.
   */
  readonly inlineSettings?: Readonly<Record<string, string>>;
  /** Variable names of aral's environment the agent may see, on top of the least-privilege set. */
  readonly env: readonly string[];
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  readonly ready: ReadinessSpec;
}

export interface FleetLogSpec {
  readonly dir: string;
  /** A log file is rotated once it would grow past this. */
  readonly maxBytes: number;
  /** Rotated files kept besides the current one (`<name>.log.1` ... `.log.<files>`). */
  readonly files: number;
}

export interface FleetSpec {
  readonly name: string;
  /** Absolute path of the fleet file. */
  readonly file: string;
  readonly logs: FleetLogSpec;
  readonly agents: readonly FleetAgentSpec[];
}

const AGENT_KEYS = new Set([
  "name",
  "runtime",
  "entry",
  "command",
  "args",
  "cwd",
  "instances",
  "manifest",
  "layers",
  "env",
  "maxRestarts",
  "restartWindowMs",
  "ready",
]);
const TOP_KEYS = new Set(["$schema", "version", "name", "logs", "agents"]);
/** An agent's or a fleet's name: it names log files, cgroups and the control socket `<dir>/<fleet>.sock`. */
export const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const NAME = FLEET_NAME;
const MAX_INSTANCES = 64;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function dirOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** The port the agent's runtime serves health on when it is fixed (health.enabled, port not 0): one process at a time. */
export function fixedHealthPort(config: RuntimeConfig): number | undefined {
  return config.health.enabled && config.health.port !== 0 ? config.health.port : undefined;
}

/** `path` against the absolute directory `base`, with "." and ".." resolved: "/srv/app" + "../x.yaml" -> "/srv/x.yaml". */
export function resolvePath(base: string, path: string): string {
  if (path.startsWith("/")) return path;
  const parts = base.split("/");
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.length > 1 && parts.pop();
    else parts.push(part);
  }
  return parts.join("/") || "/";
}

function baseName(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.indexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Every string of a parsed document with its field path (`a.b[2].c`). */
function stringsWithin(value: unknown, path: string): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringsWithin(item, `${path}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => stringsWithin(item, `${path}.${key}`));
  return [];
}

/** Collects issues so one pass reports every problem of the file. */
class Issues {
  readonly list: ConfigIssue[] = [];
  add(path: string, value: unknown, expected: string, message: string): undefined {
    this.list.push({ path, value, expected, message });
    return undefined;
  }
  string(path: string, value: unknown, required: boolean): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value === "")
      return this.add(
        path,
        value,
        "a non-empty string",
        required && value === undefined ? "is required" : "must be a non-empty string",
      );
    return this.noNul(path, value) ? value : undefined;
  }
  /**
   * A NUL character cannot be part of a path, an argument or an environment value (the kernel's strings end at
   * it): refused here, naming the field, instead of failing the spawn.
   */
  noNul(path: string, value: string): boolean {
    if (!value.includes("\0")) return true;
    this.add(path, value, "text without a NUL character", "must not contain a NUL character (\\0)");
    return false;
  }
  integer(path: string, value: unknown, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, value, `an integer from ${min} to ${max}`, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }
  /** An array of strings; `nul: false` leaves a NUL in an item to the caller's own rule (env names). */
  strings(path: string, value: unknown, nonEmpty: boolean, nul = true): string[] | undefined {
    if (value === undefined) return undefined;
    if (
      !Array.isArray(value) ||
      value.some((item) => typeof item !== "string") ||
      (nonEmpty && (value.length === 0 || value[0] === ""))
    ) {
      return this.add(
        path,
        value,
        nonEmpty ? "a non-empty array of strings, the executable first" : "an array of strings",
        `must be ${nonEmpty ? "a non-empty array of strings" : "an array of strings"}`,
      );
    }
    const items = value as string[];
    if (!nul) return items;
    return items.map((item, i) => this.noNul(`${path}[${i}]`, item)).every(Boolean) ? items : undefined;
  }
  unknownKeys(path: string, value: Record<string, unknown>, known: Set<string>): void {
    for (const key of Object.keys(value)) {
      if (!known.has(key))
        this.add(
          path === "" ? key : `${path}.${key}`,
          value[key],
          `one of ${[...known].join(", ")}`,
          "is not a known field",
        );
    }
  }
}

function readiness(issues: Issues, path: string, value: unknown): ReadinessSpec {
  const ready: ReadinessSpec = { startupMs: 1_000, timeoutMs: 30_000 };
  if (value === undefined) return ready;
  if (!isObject(value)) {
    issues.add(path, value, "an object { line?, url?, startupMs?, timeoutMs? }", "must be an object");
    return ready;
  }
  issues.unknownKeys(path, value, new Set(["line", "url", "startupMs", "timeoutMs"]));
  const line = issues.string(`${path}.line`, value["line"], false);
  const url = issues.string(`${path}.url`, value["url"], false);
  if (url !== undefined && !/^https?:\/\//.test(url))
    issues.add(`${path}.url`, url, "an http:// or https:// URL", "must be an http(s) URL");
  return {
    ...(line !== undefined ? { line } : {}),
    ...(url !== undefined ? { url } : {}),
    startupMs: issues.integer(`${path}.startupMs`, value["startupMs"], 0, 600_000, 1_000),
    timeoutMs: issues.integer(`${path}.timeoutMs`, value["timeoutMs"], 1, 3_600_000, 30_000),
  };
}

function bytes(issues: Issues, path: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    if (typeof value !== "string" && typeof value !== "number") throw new Error("not a quantity");
    const parsed = parseBytes(value);
    if (parsed < 1024) throw new Error("too small");
    return parsed;
  } catch {
    issues.add(path, value, `a size of at least 1Ki, such as "10Mi" or 1048576`, "must be a size of at least 1 KiB");
    return fallback;
  }
}

async function agentSpec(
  platform: Pick<Platform, "fs">,
  issues: Issues,
  raw: unknown,
  index: number,
  dir: string,
  source: string,
): Promise<FleetAgentSpec | undefined> {
  const path = `agents[${index}]`;
  if (!isObject(raw))
    return issues.add(path, raw, "an object { name, entry and runtime, or command, \u2026 }", "must be an object");
  issues.unknownKeys(path, raw, AGENT_KEYS);
  const name = issues.string(`${path}.name`, raw["name"], true);
  if (name !== undefined && !NAME.test(name))
    issues.add(
      `${path}.name`,
      name,
      "letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit)",
      "is not a valid agent name",
    );
  const entry = issues.string(`${path}.entry`, raw["entry"], false);
  const command = issues.strings(`${path}.command`, raw["command"], true);
  let runtime: SupervisedRuntime | undefined;
  if (raw["runtime"] !== undefined) {
    if (!(SUPERVISED_RUNTIMES as readonly unknown[]).includes(raw["runtime"]))
      issues.add(
        `${path}.runtime`,
        raw["runtime"],
        `one of ${SUPERVISED_RUNTIMES.join(", ")}`,
        "is not a supported runtime",
      );
    else runtime = raw["runtime"] as SupervisedRuntime;
  }
  if (entry === undefined && command === undefined && raw["entry"] === undefined && raw["command"] === undefined) {
    issues.add(path, raw, "`entry` (with `runtime`) or `command`", "needs an entry or a command");
  }
  if (raw["entry"] !== undefined && raw["command"] !== undefined)
    issues.add(
      `${path}.command`,
      raw["command"],
      "either `entry` or `command`, not both",
      "cannot be given together with entry",
    );
  if (raw["command"] !== undefined && raw["runtime"] !== undefined)
    issues.add(
      `${path}.runtime`,
      raw["runtime"],
      "no runtime with `command` (the command names its own program)",
      "cannot be given together with command",
    );
  if (entry !== undefined && raw["runtime"] === undefined)
    issues.add(`${path}.runtime`, undefined, `one of ${SUPERVISED_RUNTIMES.join(", ")}`, "is required with entry");
  const args = issues.strings(`${path}.args`, raw["args"], false) ?? [];
  const cwdText = issues.string(`${path}.cwd`, raw["cwd"], false);
  const envNames = issues.strings(`${path}.env`, raw["env"], false, false) ?? [];
  envNames.forEach((variable, i) => {
    if (variable === "" || variable.includes("=") || variable.includes("\0"))
      issues.add(`${path}.env[${i}]`, variable, "a variable name", "is not a variable name");
  });
  const instances = issues.integer(`${path}.instances`, raw["instances"], 1, MAX_INSTANCES, 1);
  const maxRestarts = issues.integer(`${path}.maxRestarts`, raw["maxRestarts"], 0, 1_000, 5);
  const restartWindowMs = issues.integer(`${path}.restartWindowMs`, raw["restartWindowMs"], 1_000, 86_400_000, 60_000);
  const ready = readiness(issues, `${path}.ready`, raw["ready"]);

  let config: RuntimeConfig | undefined;
  let manifestPath: string | undefined;
  let written: unknown;
  if (raw["manifest"] !== undefined && raw["layers"] !== undefined)
    issues.add(
      `${path}.layers`,
      raw["layers"],
      "either `manifest` or `layers`, not both",
      "cannot be given together with manifest",
    );
  else if (raw["manifest"] !== undefined) {
    const text = issues.string(`${path}.manifest`, raw["manifest"], false);
    if (text !== undefined) {
      manifestPath = resolvePath(dir, text);
      try {
        config = (await loadManifest(platform, manifestPath)).layers.runtime;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const issue of error.issues)
          issues.add(
            `${path}.manifest`,
            text,
            "a valid manifest file",
            `${manifestPath}: ${issue.path || "(root)"}: ${issue.message}`,
          );
      }
    }
  } else {
    const layers = raw["layers"];
    if (layers !== undefined && !isObject(layers))
      issues.add(`${path}.layers`, layers, "an object { runtime: { \u2026 } }", "must be an object");
    else {
      if (layers !== undefined) issues.unknownKeys(`${path}.layers`, layers, new Set(["runtime"]));
      try {
        written = layers?.["runtime"];
        config = validateRuntimeOptions(written ?? {}, source, ["agents", index, "layers", "runtime"]);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        issues.list.push(...error.issues);
      }
    }
  }
  let inlineSettings: Record<string, string> | undefined;
  if (written !== undefined && config !== undefined) {
    const { variables, empty } = settingsVariables(written, config);
    inlineSettings = variables;
    // They travel as environment values, which end at a NUL (the spawn would fail, a unit would carry it raw).
    for (const [field, text] of stringsWithin(written, `${path}.layers.runtime`)) issues.noNul(field, text);
    for (const field of empty)
      issues.add(
        `${path}.layers.runtime.${field.path}`,
        field.value,
        "a non-empty value, or the setting in a manifest file (`manifest`)",
        "cannot reach the agent: inline settings travel as ARAL_* variables, and an empty one means unset",
      );
  }
  if (name === undefined || config === undefined || (entry === undefined && command === undefined)) return undefined;
  return {
    name,
    runtime: command === undefined ? runtime : undefined,
    entry: entry === undefined ? undefined : resolvePath(dir, entry),
    command,
    args,
    cwd: cwdText === undefined ? dir : resolvePath(dir, cwdText),
    instances,
    config,
    manifestPath,
    ...(inlineSettings === undefined ? {} : { inlineSettings }),
    env: envNames,
    maxRestarts,
    restartWindowMs,
    ready,
  };
}

/** Checks a parsed fleet document; `file` is its absolute path (relative paths inside resolve against its directory). */
export async function validateFleet(platform: Pick<Platform, "fs">, value: unknown, file: string): Promise<FleetSpec> {
  const issues = new Issues();
  const dir = dirOf(file);
  if (!isObject(value))
    throw new ConfigError(
      "invalid",
      [{ path: "", value, expected: "an object { agents: [ \u2026 ] }", message: "a fleet file must be an object" }],
      { source: file },
    );
  issues.unknownKeys("", value, TOP_KEYS);
  if (value["version"] !== undefined && value["version"] !== 1 && value["version"] !== "1")
    issues.add("version", value["version"], "1", "is not a supported fleet file version");
  const name = issues.string("name", value["name"], false) ?? baseName(file);
  if (!NAME.test(name))
    issues.add(
      "name",
      name,
      "letters, digits, '.', '_' or '-'",
      "is not a valid fleet name (it names the control socket's directory)",
    );

  let logs: FleetLogSpec = { dir: resolvePath(dir, "logs"), maxBytes: 10 * 1024 * 1024, files: 5 };
  const rawLogs = value["logs"];
  if (rawLogs !== undefined && !isObject(rawLogs))
    issues.add("logs", rawLogs, "an object { dir?, maxBytes?, files? }", "must be an object");
  else if (rawLogs !== undefined) {
    issues.unknownKeys("logs", rawLogs, new Set(["dir", "maxBytes", "files"]));
    const logDir = issues.string("logs.dir", rawLogs["dir"], false);
    logs = {
      dir: logDir === undefined ? logs.dir : resolvePath(dir, logDir),
      maxBytes: bytes(issues, "logs.maxBytes", rawLogs["maxBytes"], logs.maxBytes),
      files: issues.integer("logs.files", rawLogs["files"], 0, 100, logs.files),
    };
  }

  const agents: FleetAgentSpec[] = [];
  const rawAgents = value["agents"];
  if (!Array.isArray(rawAgents) || rawAgents.length === 0)
    issues.add(
      "agents",
      rawAgents,
      "a non-empty array of agents",
      rawAgents === undefined ? "is required" : "must be a non-empty array",
    );
  else {
    const seen = new Map<string, number>();
    for (const [index, raw] of rawAgents.entries()) {
      const agent = await agentSpec(platform, issues, raw, index, dir, file);
      const name = isObject(raw) && typeof raw["name"] === "string" ? raw["name"] : undefined;
      const first = name === undefined ? undefined : seen.get(name);
      if (first !== undefined)
        issues.add(`agents[${index}].name`, name, "a name no other agent has", `duplicates agents[${first}].name`);
      else if (name !== undefined) seen.set(name, index);
      if (agent) agents.push(agent);
    }
  }
  if (issues.list.length > 0) throw new ConfigError("invalid", issues.list, { source: file });
  return { name, file, logs, agents };
}

/** Reads a fleet file (JSON, JSONC or YAML, by extension) and validates it: every problem is a ConfigError issue naming its field path. */
export async function loadFleetFile(platform: Pick<Platform, "fs">, file: string): Promise<FleetSpec> {
  const { text, format } = await readConfigFile(platform, file, { what: "fleet file" });
  return validateFleet(platform, await parseManifestText(text, format, file), file);
}
