import type { Platform } from "@aral/platform";
import { resolveResources } from "./config.ts";
import type { ResolvedResources, ResourcesConfig } from "./config.ts";
import { formatBandwidth, formatBytes, formatCpu } from "./quantity.ts";

export type EnforcementStatus = "enforced" | "reported" | "unsupported";

export interface FieldEnforcement {
  /** e.g. "memory.limit" */
  readonly field: string;
  /** The configured value in canonical form, or null when the manifest leaves the field out. */
  readonly value: string | null;
  readonly status: EnforcementStatus;
  readonly how: string;
}

export const RESOURCE_FIELDS = [
  "cpu.limit",
  "cpu.request",
  "cpu.throttling",
  "memory.limit",
  "memory.request",
  "memory.swap",
  "storage.persistent",
  "storage.ephemeral",
  "storage.maxSize",
  "network.bandwidth",
  "network.connections",
  "network.timeout",
] as const;

/**
 * How this runtime honours every resource field of the manifest, so the runtime can log it at start and
 * no field is silently ignored. In-process enforcement is cooperative; the kernel holds a limit only when the
 * process runs in a cgroup that sets it - under `aral run` on Linux where cgroups are usable (root or a
 * delegated subtree), which `aral check` and the supervisor's start log say limit by limit.
 */
export function describeEnforcement(
  resources: ResourcesConfig | ResolvedResources | undefined,
  platform: Pick<Platform, "runtime">,
): FieldEnforcement[] {
  const r = resolveResources(resources);
  const cores = platform.runtime.cpus;
  const runtime = `${platform.runtime.name} ${platform.runtime.version}`;
  const fmt = <T>(value: T | undefined, format: (v: T) => string): string | null =>
    value === undefined ? null : format(value);
  const toggle = (v: boolean | undefined): string | null => (v === undefined ? null : v ? "enabled" : "disabled");

  const rows: FieldEnforcement[] = [
    {
      field: "cpu.limit",
      value: fmt(r.cpu.limit, formatCpu),
      status: "enforced",
      how:
        `allocate({ cpu }) leases count against it (ResourceLimitError past it); the monitor measures CPU time over wall time and degrades at the limit; ` +
        `the worker pool is sized from it (capped at this machine's ${cores} cores); a kernel CPU quota only in a cgroup \u2014 under aral run on Linux with usable cgroups (aral check says whether)` +
        (r.cpu.limit !== undefined && r.cpu.limit > cores
          ? ` \u2014 note: the limit is more than the ${cores} cores available`
          : ""),
    },
    {
      field: "cpu.request",
      value: fmt(r.cpu.request, formatCpu),
      status: r.cpu.request !== undefined && r.cpu.request > cores ? "unsupported" : "reported",
      how:
        r.cpu.request !== undefined && r.cpu.request > cores
          ? `cannot be guaranteed: it asks for more than the ${cores} cores this machine has`
          : `a guaranteed reservation in the ResourceManager (reserved()); checked against this machine's ${cores} cores, no OS scheduling guarantee in-process`,
    },
    {
      field: "cpu.throttling",
      value: toggle(r.cpu.throttling),
      status: r.cpu.throttling ? "enforced" : "reported",
      how: r.cpu.throttling
        ? "while CPU use is at or past resources.monitor.thresholds.cpu (default 0.9) of cpu.limit the monitor throttles admission of new work (admit() waits)"
        : "throttling disabled: CPU over its limit only degrades the runtime and is reported",
    },
    {
      field: "memory.limit",
      value: fmt(r.memory.limit, formatBytes),
      status: "enforced",
      how: "allocate({ memory }) leases count against it (ResourceLimitError past it); the monitor samples RSS and degrades at 90% of it; a kernel limit (OOM kill) only in a cgroup \u2014 under aral run on Linux with usable cgroups; without them aral run samples RSS and restarts past it (aral check says which)",
    },
    {
      field: "memory.request",
      value: fmt(r.memory.request, formatBytes),
      status: "reported",
      how: "a guaranteed reservation in the ResourceManager (reserved()); the OS gives no in-process guarantee",
    },
    {
      field: "memory.swap",
      value: toggle(r.memory.swap),
      status: "reported",
      how: `unsupported in-process on ${runtime}: swap is an OS/cgroup setting; the value is reported, not applied`,
    },
    {
      field: "storage.persistent",
      value: r.storage.persistent ?? null,
      status: "enforced",
      how: "createStorage() confines paths to this root, checked on the directory actually opened (through its descriptor), not on a path string: absolute paths, '..', the root itself as a file name and symlinks leading outside fail with StorageEscapeError; disk space is monitored",
    },
    {
      field: "storage.ephemeral",
      value: r.storage.ephemeral ?? null,
      status: "enforced",
      how: "the instance gets its own directory under this root, confined like persistent, removed on stop and cleaned by age",
    },
    {
      field: "storage.maxSize",
      value: fmt(r.storage.maxSize, formatBytes),
      status: "enforced",
      how: "bytes written through the storage API count against it; a write past it fails with StorageQuotaError before anything is written; files written around the API are counted on refresh only",
    },
    {
      field: "network.bandwidth",
      value: fmt(r.network.bandwidth, formatBandwidth),
      status: "enforced",
      how: "a token bucket on request and response bodies of the runtime's limited fetch; raw sockets and other HTTP clients are not covered",
    },
    {
      field: "network.connections",
      value: r.network.connections === undefined ? null : String(r.network.connections),
      status: "enforced",
      how: `at most this many requests in flight through the runtime's limited fetch (${r.network.overflow === "reject" ? "more fail fast with ConnectionLimitError" : "callers wait in FIFO order"}); allocate({ connections }) counts against it; pooling per host is the adapter's fetch`,
    },
    {
      field: "network.timeout",
      value: r.network.timeout === undefined ? null : `${r.network.timeout}ms`,
      status: "enforced",
      how: "default timeout of every request through the runtime's limited fetch (AbortSignal, NetworkTimeoutError naming the URL)",
    },
  ];
  return rows;
}
