import { QuantityError, parseBandwidth, parseBytes, parseCpu } from "./quantity.ts";
import { ResourceConfigError } from "./errors.ts";

type Quantity = string | number;
type Switch = "enabled" | "disabled" | boolean;

export type FallbackPolicy = "reject" | "shed" | "restart";

/**
 * The manifest's `layers.runtime.resources` section, as the user wrote it: the seed's fields (section 2) plus
 * the runtime's own (`fallback`, `monitor`, `network.overflow`, `storage.cleanup`; see config/README.md).
 */
export interface ResourcesConfig {
  cpu?: { limit?: Quantity; request?: Quantity; throttling?: Switch };
  memory?: { limit?: Quantity; request?: Quantity; swap?: Switch };
  storage?: { persistent?: string; ephemeral?: string; maxSize?: Quantity; cleanup?: { onStop?: boolean; maxAge?: number } };
  network?: { bandwidth?: Quantity; connections?: number; timeout?: number; overflow?: "wait" | "reject" };
  fallback?: FallbackPolicy;
  monitor?: { enabled?: boolean; interval?: number; thresholds?: { memory?: number; cpu?: number; disk?: number }; hysteresis?: number };
}

/** The same section in base units: cores, bytes, bits per second, milliseconds. Absent seed fields stay undefined. */
export interface ResolvedResources {
  cpu: { limit?: number; request?: number; throttling: boolean };
  memory: { limit?: number; request?: number; swap?: boolean };
  storage: { persistent?: string; ephemeral?: string; maxSize?: number; cleanup: { onStop: boolean; maxAge?: number } };
  network: { bandwidth?: number; connections?: number; timeout?: number; overflow: "wait" | "reject" };
  fallback: FallbackPolicy;
  monitor: { enabled: boolean; interval: number; thresholds: { memory: number; cpu: number; disk: number }; hysteresis: number };
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

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new ResourceConfigError(field, value, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  return value as T;
}

function fraction(field: string, value: unknown, fallback: number, opts: { allowZero: boolean; allowOne: boolean }): number {
  if (value === undefined) return fallback;
  const ok = typeof value === "number" && (opts.allowZero ? value >= 0 : value > 0) && (opts.allowOne ? value <= 1 : value < 1);
  if (!ok) throw new ResourceConfigError(field, value, `expected a number ${opts.allowZero ? "from 0" : "more than 0"} ${opts.allowOne ? "up to 1" : "below 1"}`);
  return value as number;
}

function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ResourceConfigError(field, value, "expected true or false");
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
export function resolveResources(config: ResourcesConfig | ResolvedResources | undefined, prefix = "resources"): ResolvedResources {
  if (isResolvedResources(config)) return config;
  const top = section(prefix, config, ["cpu", "memory", "storage", "network", "fallback", "monitor"]);
  const cpu = section(`${prefix}.cpu`, top.cpu, ["limit", "request", "throttling"]);
  const memory = section(`${prefix}.memory`, top.memory, ["limit", "request", "swap"]);
  const storage = section(`${prefix}.storage`, top.storage, ["persistent", "ephemeral", "maxSize", "cleanup"]);
  const cleanup = section(`${prefix}.storage.cleanup`, storage.cleanup, ["onStop", "maxAge"]);
  const network = section(`${prefix}.network`, top.network, ["bandwidth", "connections", "timeout", "overflow"]);
  const monitor = section(`${prefix}.monitor`, top.monitor, ["enabled", "interval", "thresholds", "hysteresis"]);
  const thresholds = section(`${prefix}.monitor.thresholds`, monitor.thresholds, ["memory", "cpu", "disk"]);
  const ratio = { allowZero: false, allowOne: true };

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
      cleanup: {
        onStop: flag(`${prefix}.storage.cleanup.onStop`, cleanup.onStop, true),
        maxAge: positiveInteger(`${prefix}.storage.cleanup.maxAge`, cleanup.maxAge),
      },
    },
    network: {
      bandwidth: quantity(`${prefix}.network.bandwidth`, network.bandwidth, parseBandwidth),
      connections: positiveInteger(`${prefix}.network.connections`, network.connections),
      timeout: positiveInteger(`${prefix}.network.timeout`, network.timeout),
      overflow: oneOf(`${prefix}.network.overflow`, network.overflow, ["wait", "reject"] as const, "wait"),
    },
    fallback: oneOf(`${prefix}.fallback`, top.fallback, ["reject", "shed", "restart"] as const, "reject"),
    monitor: {
      enabled: flag(`${prefix}.monitor.enabled`, monitor.enabled, true),
      interval: positiveInteger(`${prefix}.monitor.interval`, monitor.interval) ?? 5000,
      thresholds: {
        memory: fraction(`${prefix}.monitor.thresholds.memory`, thresholds.memory, 0.9, ratio),
        cpu: fraction(`${prefix}.monitor.thresholds.cpu`, thresholds.cpu, 1, ratio),
        disk: fraction(`${prefix}.monitor.thresholds.disk`, thresholds.disk, 0.9, ratio),
      },
      hysteresis: fraction(`${prefix}.monitor.hysteresis`, monitor.hysteresis, 0.05, { allowZero: true, allowOne: false }),
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
