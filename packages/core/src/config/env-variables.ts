import type { Field } from "./fields.ts";
import type { PathSegment } from "./path.ts";
import { manifestSchema, runtimeSchema } from "./schema.ts";

/** One ARAL_* variable and the field it overrides. */
export interface EnvOverride {
  variable: string;
  /** Path inside `layers.runtime` (or, with `manifestOnly`, inside the manifest). */
  path: readonly PathSegment[];
  /** Only a whole manifest has this field (`aral.profile`). */
  manifestOnly?: boolean;
  /** The leaf schema, for coercion by type. */
  schema: Field;
}

/**
 * ARAL_* variables the runtime and its tools read for other purposes; never treated as field overrides.
 * ARAL_MANIFEST: the manifest `new AralRuntime()` reads when given none ; ARAL_INSTANCE_ID: the runtime's
 * instance id (a pod's name, a systemd template's `<name>-%i`) ; ARAL_AGENT, ARAL_INSTANCE: the agent's name and instance
 * index under `aral up` ; ARAL_SUPERVISOR: set in a supervised child ; ARAL_RESTART_COUNT:
 * restarts so far, from the supervisor ; ARAL_SUPERVISOR_PID: the supervisor the runtime watches ;
 * ARAL_CGROUP_PARENT: the delegated cgroup subtree the supervisor creates instance cgroups under ;
 * ARAL_CONTROL_DIR: where `aral up` keeps its control sockets ; ARAL_BIN_RUNTIME: the runtime the `aral` bin hands
 * off to ; ARAL_NODE_LIGHT_RESPONSE, ARAL_NODE_FETCH_CLASSES_AFTER_MS: the Node adapter's serve path.
 */
export const RESERVED_ENV_VARIABLES: readonly string[] = [
  "ARAL_MANIFEST",
  "ARAL_AGENT",
  "ARAL_INSTANCE",
  "ARAL_INSTANCE_ID",
  "ARAL_SUPERVISOR",
  "ARAL_RESTART_COUNT",
  "ARAL_SUPERVISOR_PID",
  "ARAL_CGROUP_PARENT",
  "ARAL_CONTROL_DIR",
  "ARAL_BIN_RUNTIME",
  "ARAL_NODE_LIGHT_RESPONSE",
  "ARAL_NODE_FETCH_CLASSES_AFTER_MS",
];
/** Prefixes left to tests and the conformance suite. */
export const RESERVED_ENV_PREFIXES: readonly string[] = ["ARAL_CONFORMANCE_", "ARAL_TEST_"];

/** camelCase -> CAMEL_CASE: "errorHandling" -> "ERROR_HANDLING", "maxBackoffMs" -> "MAX_BACKOFF_MS". */
export function toEnvSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Names that would read wrongly if generated ("ARAL_VERSION" looks like the manifest version). */
const RENAMED: Record<string, string> = { ARAL_VERSION: "ARAL_PLATFORM_VERSION" };

function collect(schema: Field, path: PathSegment[], into: EnvOverride[]): void {
  if (schema.kind === "object") {
    for (const [key, child] of Object.entries(schema.fields)) collect(child, [...path, key], into);
    return;
  }
  const generated = `ARAL_${path.map((segment) => toEnvSegment(String(segment))).join("_")}`;
  into.push({ variable: RENAMED[generated] ?? generated, path, schema });
}

function buildTable(): EnvOverride[] {
  const table: EnvOverride[] = [];
  collect(runtimeSchema, [], table);
  const level = table.find((entry) => entry.variable === "ARAL_LOGGING_LEVEL")!;
  const format = table.find((entry) => entry.variable === "ARAL_LOGGING_FORMAT")!;
  table.push({ ...level, variable: "ARAL_LOG_LEVEL" }, { ...format, variable: "ARAL_LOG_FORMAT" });
  const aral = manifestSchema.fields.aral!;
  const profile = aral.kind === "object" ? aral.fields.profile! : aral;
  table.push({ variable: "ARAL_PROFILE", path: ["aral", "profile"], manifestOnly: true, schema: profile });
  const names = new Set(table.map((entry) => entry.variable));
  if (names.size !== table.length) throw new Error("config: two fields map to the same ARAL_* variable");
  return table;
}

let table: readonly EnvOverride[] | undefined;

/** The ARAL_* table, built on first use: a run without ARAL_* field variables never needs it. */
export function envOverrides(): readonly EnvOverride[] {
  table ??= buildTable();
  return table;
}

/**
 * Every ARAL_* field override, generated from the schema (see config/README.md for the table). An array that
 * builds itself on first access (a Proxy over envOverrides()): walking the schema at import cost Bun 1.4.5
 * 10-25 ms of every start.
 */
export const ENV_OVERRIDES: readonly EnvOverride[] = new Proxy([] as EnvOverride[], {
  get: (_target, key) => Reflect.get(envOverrides(), key),
  has: (_target, key) => Reflect.has(envOverrides(), key),
  ownKeys: () => Reflect.ownKeys(envOverrides()),
  getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(envOverrides(), key),
});
