import { QuantityError, parseBandwidth, parseBytes, parseCpu } from "./quantity.ts";
import { ResourceConfigError } from "./errors.ts";

type Quantity = string | number;
type Switch = "enabled" | "disabled" | boolean;

/** The manifest's `layers.runtime.resources` section, as the user wrote it (seed, section 2). */
export interface ResourcesConfig {
  cpu?: { limit?: Quantity; request?: Quantity; throttling?: Switch };
  memory?: { limit?: Quantity; request?: Quantity; swap?: Switch };
  storage?: { persistent?: string; ephemeral?: string; maxSize?: Quantity };
  network?: { bandwidth?: Quantity; connections?: number; timeout?: number };
}

/** The same section in base units: cores, bytes, bits per second, milliseconds. Absent fields stay undefined. */
export interface ResolvedResources {
  cpu: { limit?: number; request?: number; throttling: boolean };
  memory: { limit?: number; request?: number; swap?: boolean };
  storage: { persistent?: string; ephemeral?: string; maxSize?: number };
  network: { bandwidth?: number; connections?: number; timeout?: number };
}

function quantity<T>(path: string, value: unknown, parse: (q: Quantity) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value as Quantity);
  } catch (error) {
    const reason = error instanceof QuantityError ? error.reason : String(error);
    throw new ResourceConfigError(path, value, reason, { cause: error });
  }
}

function toggle(path: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === "enabled") return true;
  if (value === false || value === "disabled") return false;
  throw new ResourceConfigError(path, value, 'expected "enabled" or "disabled"');
}

function positiveInteger(path: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ResourceConfigError(path, value, "expected a whole number of at least 1");
  }
  return value;
}

function path(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new ResourceConfigError(field, value, "expected a non-empty directory path");
  if (value.includes("\0")) throw new ResourceConfigError(field, value, "must not contain NUL bytes");
  return value;
}

function section(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ResourceConfigError(field, value, "expected an object");
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new ResourceConfigError(`${field}.${key}`, (value as Record<string, unknown>)[key], `unknown field (known: ${keys.join(", ")})`);
  }
  return value as Record<string, unknown>;
}

const RESOLVED = new WeakSet<object>();

/** True only for what resolveResources returned: a manifest's resources section with string quantities is not resolved. */
export function isResolvedResources(value: unknown): value is ResolvedResources {
  return typeof value === "object" && value !== null && RESOLVED.has(value);
}

/** Parses and checks every resource field; a bad one throws ResourceConfigError naming its path. */
export function resolveResources(config: ResourcesConfig | undefined, prefix = "resources"): ResolvedResources {
  const top = section(prefix, config, ["cpu", "memory", "storage", "network"]);
  const cpu = section(`${prefix}.cpu`, top.cpu, ["limit", "request", "throttling"]);
  const memory = section(`${prefix}.memory`, top.memory, ["limit", "request", "swap"]);
  const storage = section(`${prefix}.storage`, top.storage, ["persistent", "ephemeral", "maxSize"]);
  const network = section(`${prefix}.network`, top.network, ["bandwidth", "connections", "timeout"]);

  const resolved: ResolvedResources = {
    cpu: {
      limit: quantity(`${prefix}.cpu.limit`, cpu.limit, parseCpu),
      request: quantity(`${prefix}.cpu.request`, cpu.request, parseCpu),
      throttling: toggle(`${prefix}.cpu.throttling`, cpu.throttling) ?? false,
    },
    memory: {
      limit: quantity(`${prefix}.memory.limit`, memory.limit, parseBytes),
      request: quantity(`${prefix}.memory.request`, memory.request, parseBytes),
      swap: toggle(`${prefix}.memory.swap`, memory.swap),
    },
    storage: {
      persistent: path(`${prefix}.storage.persistent`, storage.persistent),
      ephemeral: path(`${prefix}.storage.ephemeral`, storage.ephemeral),
      maxSize: quantity(`${prefix}.storage.maxSize`, storage.maxSize, parseBytes),
    },
    network: {
      bandwidth: quantity(`${prefix}.network.bandwidth`, network.bandwidth, parseBandwidth),
      connections: positiveInteger(`${prefix}.network.connections`, network.connections),
      timeout: positiveInteger(`${prefix}.network.timeout`, network.timeout),
    },
  };
  if (resolved.cpu.limit === 0) throw new ResourceConfigError(`${prefix}.cpu.limit`, cpu.limit, "must be more than 0");
  if (resolved.network.bandwidth === 0) throw new ResourceConfigError(`${prefix}.network.bandwidth`, network.bandwidth, "must be more than 0");
  for (const kind of ["cpu", "memory"] as const) {
    const { limit, request } = resolved[kind];
    if (limit !== undefined && request !== undefined && request > limit) {
      throw new ResourceConfigError(`${prefix}.${kind}.request`, (kind === "cpu" ? cpu : memory).request, `must not exceed ${prefix}.${kind}.limit`);
    }
  }
  RESOLVED.add(resolved);
  return resolved;
}
