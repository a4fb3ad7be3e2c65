import { parseBandwidth, parseBytes, parseCpu } from "./quantity.ts";
import { validateRuntimeOptions } from "../config/validate.ts";

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
  storage?: {
    persistent?: string;
    ephemeral?: string;
    maxSize?: Quantity;
    cleanup?: { onStop?: boolean; maxAge?: number };
  };
  network?: { bandwidth?: Quantity; connections?: number; timeout?: number; overflow?: "wait" | "reject" };
  fallback?: FallbackPolicy;
  monitor?: {
    enabled?: boolean;
    interval?: number;
    thresholds?: { memory?: number; cpu?: number; disk?: number };
    hysteresis?: number;
  };
}

/** The same section in base units: cores, bytes, bits per second, milliseconds. Absent seed fields stay undefined. */
export interface ResolvedResources {
  cpu: { limit?: number; request?: number; throttling: boolean };
  memory: { limit?: number; request?: number; swap?: boolean };
  storage: { persistent?: string; ephemeral?: string; maxSize?: number; cleanup: { onStop: boolean; maxAge?: number } };
  network: { bandwidth?: number; connections?: number; timeout?: number; overflow: "wait" | "reject" };
  fallback: FallbackPolicy;
  monitor: {
    enabled: boolean;
    interval: number;
    thresholds: { memory: number; cpu: number; disk: number };
    hysteresis: number;
  };
}

const RESOLVED = new WeakSet<object>();

/** True only for what resolveResources returned: a manifest's resources section with string quantities is not resolved. */
export function isResolvedResources(value: unknown): value is ResolvedResources {
  return typeof value === "object" && value !== null && RESOLVED.has(value);
}

/**
 * The resources section in base units. Validation and defaults come from the manifest schema (config/schema.ts),
 * the one place they are defined: a bad field throws ConfigError naming its path (`resources.memory.limit`).
 */
export function resolveResources(config: ResourcesConfig | ResolvedResources | undefined): ResolvedResources {
  if (isResolvedResources(config)) return config;
  const { cpu, memory, storage, network, fallback, monitor } = validateRuntimeOptions({
    resources: config ?? {},
  }).resources;
  const optional = <T>(value: Quantity | undefined, parse: (q: Quantity) => T): T | undefined =>
    value === undefined ? undefined : parse(value);
  const resolved: ResolvedResources = {
    cpu: { limit: optional(cpu.limit, parseCpu), request: optional(cpu.request, parseCpu), throttling: cpu.throttling },
    memory: {
      limit: optional(memory.limit, parseBytes),
      request: optional(memory.request, parseBytes),
      swap: memory.swap,
    },
    storage: {
      persistent: storage.persistent,
      ephemeral: storage.ephemeral,
      maxSize: optional(storage.maxSize, parseBytes),
      cleanup: { onStop: storage.cleanup.onStop, maxAge: storage.cleanup.maxAge },
    },
    network: {
      bandwidth: optional(network.bandwidth, parseBandwidth),
      connections: network.connections,
      timeout: network.timeout,
      overflow: network.overflow,
    },
    fallback,
    monitor: {
      enabled: monitor.enabled,
      interval: monitor.interval,
      thresholds: { ...monitor.thresholds },
      hysteresis: monitor.hysteresis,
    },
  };
  RESOLVED.add(resolved);
  return resolved;
}
