import type { MetricsRegistry } from "./registry.ts";
import type { Counter } from "./counter.ts";
import type { Histogram } from "./histogram.ts";
import { raiseCounter } from "./runtime-metrics.ts";

/** Task durations: from a few ms (tool calls) to minutes (model calls, batch jobs). */
export const TASK_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
] as const;

/** Counts that restart from zero with each run of the runtime; the families add them to the totals of earlier runs. */
export interface TaskCounts {
  accepted: number;
  completed: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  returned: number;
  aborted: number;
  rejected: number;
}

export interface FetchCounts {
  requests: number;
  timeouts: number;
  responseBytes: number;
  requestBytes: number;
}

/** What the runtime hands the families at every scrape; each part absent when that facility is off. */
export interface RuntimeFamilySources {
  tasks?: {
    counts: TaskCounts;
    byPriority: readonly { priority: number; queued: number; running: number }[];
    waiting: number;
  };
  breakers: readonly { name: string; state: "closed" | "open" | "half-open" }[];
  resources?: { readonly leases: number } & Partial<
    Record<"cpu" | "memory" | "storage" | "connections", { readonly limit: number | null; readonly allocated: number }>
  >;
  monitor?: {
    memoryRatio: number | null;
    disk: readonly { root: string; usedRatio: number }[];
    degraded: boolean;
    throttled: boolean;
  };
  health?: Record<string, { ok: boolean; durationMs: number; lastRun: Date | null }>;
  fetch?: { inFlight: number; waiting: number; counts: FetchCounts };
  eventLoopLag?: { lastMs: number; maxMs: number };
  runtime?: { name: string; version: string };
}

const PRIORITY_NAMES = new Map<number, string>([
  [30, "critical"],
  [20, "high"],
  [0, "normal"],
  [-10, "low"],
]);

/** A priority's label value: its level name, or the number for custom priorities. */
export function priorityLabel(priority: number): string {
  return PRIORITY_NAMES.get(priority) ?? String(priority);
}

const RESOURCE_UNITS: Record<"cpu" | "memory" | "storage" | "connections", { unit: string; what: string }> = {
  cpu: { unit: "cores", what: "CPU" },
  memory: { unit: "bytes", what: "memory" },
  storage: { unit: "bytes", what: "storage" },
  connections: { unit: "", what: "connections" },
};

/**
 * The runtime's metric families beyond the seed's RuntimeMetrics: tasks, circuit breakers, retries, leases,
 * monitors, health checks, the limited fetch and event-loop lag. Event-driven counters (breaker transitions,
 * retries, dependency calls, task durations) are created here and fed by the runtime as things happen.
 */
export class RuntimeFamilies {
  readonly #registry: MetricsRegistry;
  readonly taskDuration: Histogram;
  readonly breakerTransitions: Counter;
  readonly retries: Counter;
  readonly dependencyCalls: Counter;

  constructor(registry: MetricsRegistry) {
    this.#registry = registry;
    this.taskDuration = registry.histogram(
      "aral_task_duration_seconds",
      "Run time of tasks whose function settled (returned or threw), from start to settlement.",
      TASK_DURATION_BUCKETS,
    );
    this.breakerTransitions = registry.counter(
      "aral_circuit_breaker_transitions_total",
      "Circuit breaker state changes, by dependency and the state entered.",
      ["dependency", "to"],
    );
    this.retries = registry.counter(
      "aral_retries_total",
      "Retry attempts (after the first call) made by executeWithRetry and callDependency, by context.",
      ["context"],
    );
    this.dependencyCalls = registry.counter(
      "aral_dependency_calls_total",
      "callDependency outcomes: success, failure (after retries), or rejected (circuit open).",
      ["dependency", "outcome"],
    );
  }

  /** Refreshes every gauge and counter from a snapshot of the sources; `totals` are the counts of earlier runs. */
  collect(sources: RuntimeFamilySources, totals: { tasks: TaskCounts; fetch: FetchCounts }): void {
    const r = this.#registry;
    if (sources.runtime) {
      r.gauge("aral_runtime_info", "Always 1: the JavaScript runtime and its version as labels.", [
        "runtime",
        "version",
      ]).set(1, { runtime: sources.runtime.name, version: sources.runtime.version });
    }
    const queued = r.gauge("aral_tasks_queued", "Tasks accepted and waiting in the queue, by priority.", ["priority"]);
    const running = r.gauge("aral_tasks_running", "Tasks running now, by priority.", ["priority"]);
    queued.reset();
    running.reset();
    const tasks = sources.tasks;
    // The named levels always have a series (0 when idle), so dashboards see the family before any load.
    for (const priority of PRIORITY_NAMES.values()) {
      queued.set(0, { priority });
      running.set(0, { priority });
    }
    for (const level of tasks?.byPriority ?? []) {
      queued.set(level.queued, { priority: priorityLabel(level.priority) });
      running.set(level.running, { priority: priorityLabel(level.priority) });
    }
    r.gauge("aral_tasks_waiting", 'Producers waiting for room in a full queue (tasks.overflow "wait").').set(
      tasks?.waiting ?? 0,
    );
    const counts = sum(totals.tasks, tasks?.counts);
    raiseCounter(r.counter("aral_tasks_accepted_total", "Tasks accepted by the queue."), counts.accepted);
    raiseCounter(
      r.counter("aral_tasks_rejected_total", "Tasks refused at submission (queue full or closed)."),
      counts.rejected,
    );
    raiseCounter(r.counter("aral_tasks_completed_total", "Tasks whose function returned a value."), counts.completed);
    raiseCounter(r.counter("aral_tasks_failed_total", "Tasks whose function threw or rejected."), counts.failed);
    raiseCounter(r.counter("aral_tasks_timed_out_total", "Tasks that outlived their timeout."), counts.timedOut);
    raiseCounter(r.counter("aral_tasks_cancelled_total", "Tasks cancelled through their signal."), counts.cancelled);
    raiseCounter(
      r.counter("aral_tasks_aborted_total", "Tasks still running at the shutdown deadline, aborted."),
      counts.aborted,
    );
    raiseCounter(
      r.counter("aral_tasks_returned_total", "Queued tasks never started, handed back at shutdown or shed under load."),
      counts.returned,
    );
    raiseCounter(
      r.counter("aral_tasks_finished_total", "Tasks whose function settled (the count of aral_task_duration_seconds)."),
      this.taskDuration.get().count,
    );

    const state = r.gauge(
      "aral_circuit_breaker_state",
      "1 for the state each dependency's circuit breaker is in, 0 for the others.",
      ["dependency", "state"],
    );
    state.reset(); // a breaker the runtime forgot (maxBreakers) leaves no series behind
    for (const breaker of sources.breakers) {
      for (const s of ["closed", "open", "half-open"] as const)
        state.set(breaker.state === s ? 1 : 0, { dependency: breaker.name, state: s });
    }

    if (sources.resources) {
      r.gauge("aral_resource_leases", "Leases held (runtime.allocate) and not released.").set(sources.resources.leases);
      for (const kind of Object.keys(RESOURCE_UNITS) as (keyof typeof RESOURCE_UNITS)[]) {
        const { unit, what } = RESOURCE_UNITS[kind];
        const usage = sources.resources[kind];
        if (!usage) continue;
        const suffix = unit ? `_${unit}` : "";
        r.gauge(`aral_resource_${kind}_allocated${suffix}`, `${what} held by leases${unit ? `, in ${unit}` : ""}.`).set(
          usage.allocated,
        );
        if (usage.limit !== null)
          r.gauge(
            `aral_resource_${kind}_limit${suffix}`,
            `The manifest's ${what} limit leases are checked against${unit ? `, in ${unit}` : ""}.`,
          ).set(usage.limit);
      }
    }

    if (sources.monitor) {
      const m = sources.monitor;
      if (m.memoryRatio !== null)
        r.gauge(
          "aral_memory_usage_ratio",
          "Memory in use as a fraction of the memory limit (resource monitor's latest sample).",
        ).set(m.memoryRatio);
      const disk = r.gauge(
        "aral_disk_usage_ratio",
        "Fraction of the disk in use under each storage root (resource monitor's latest sample).",
        ["root"],
      );
      for (const d of m.disk) disk.set(d.usedRatio, { root: d.root });
      r.gauge("aral_degraded", "1 while the resource monitor holds the runtime degraded, else 0.").set(
        m.degraded ? 1 : 0,
      );
      r.gauge("aral_throttled", "1 while CPU throttling holds back new work, else 0.").set(m.throttled ? 1 : 0);
    }

    if (sources.health) {
      const up = r.gauge(
        "aral_health_check_up",
        "1 when the health check passed its latest run, 0 when it failed or has not run.",
        ["check"],
      );
      const duration = r.gauge("aral_health_check_duration_seconds", "How long the health check's latest run took.", [
        "check",
      ]);
      up.reset();
      duration.reset();
      for (const [check, result] of Object.entries(sources.health)) {
        up.set(result.ok && result.lastRun !== null ? 1 : 0, { check });
        duration.set(result.durationMs / 1000, { check });
      }
    }

    const fetchCounts = sum(totals.fetch, sources.fetch?.counts);
    r.gauge(
      "aral_fetch_in_flight",
      "runtime.fetch requests started and not yet ended (body consumed, cancelled or failed).",
    ).set(sources.fetch?.inFlight ?? 0);
    r.gauge(
      "aral_fetch_waiting",
      "runtime.fetch requests waiting for a connection slot (resources.network.connections).",
    ).set(sources.fetch?.waiting ?? 0);
    raiseCounter(r.counter("aral_fetch_requests_total", "runtime.fetch requests made."), fetchCounts.requests);
    raiseCounter(
      r.counter(
        "aral_fetch_timeouts_total",
        "runtime.fetch requests that failed with NetworkTimeoutError (resources.network.timeout).",
      ),
      fetchCounts.timeouts,
    );
    raiseCounter(
      r.counter(
        "aral_fetch_response_bytes_total",
        "Response body bytes runtime.fetch delivered to callers, counted as the bodies are read.",
      ),
      fetchCounts.responseBytes,
    );
    raiseCounter(
      r.counter(
        "aral_fetch_request_bytes_total",
        "Request body bytes runtime.fetch sent, where known without reading the body (string, buffer, Blob, URLSearchParams, or paced by a bandwidth cap).",
      ),
      fetchCounts.requestBytes,
    );

    if (sources.eventLoopLag) {
      r.gauge(
        "aral_event_loop_lag_seconds",
        "How late the latest event-loop lag timer fired (timer drift, measured the same way on every runtime).",
      ).set(sources.eventLoopLag.lastMs / 1000);
      r.gauge(
        "aral_event_loop_lag_max_seconds",
        "Largest event-loop lag since the previous scrape (or OTLP metrics export).",
      ).set(sources.eventLoopLag.maxMs / 1000);
    }
  }
}

function sum<T extends object>(base: T, current: T | undefined): T {
  if (!current) return base;
  const out = { ...base } as Record<string, number>;
  for (const [key, value] of Object.entries(current as Record<string, number>)) out[key] = (out[key] ?? 0) + value;
  return out as T;
}
