import type { UsageApi } from "@aral/platform";
import type { Clock } from "@aral/platform";
import { wallTime } from "../logging/wall-time.ts";
import type { MetricsRegistry } from "./registry.ts";
import type { RequestStats } from "./request-stats.ts";

/** The seed's RuntimeMetrics. Times in ms, sizes in bytes, rates per second, errorRate 0..1. */
export interface RuntimeMetrics {
  /** Milliseconds since startTime. */
  uptime: number;
  restartCount: number;
  /**
   * CPU time over wall time since the previous sample, in percent of the CPU limit (`cpuCores`: the
   * manifest's cpu.limit, else the machine's cores): 100 = the whole limit busy. The first sample
   * measures from the process's start (performance.timeOrigin), where its CPU time counts from.
   */
  cpuUsage: number;
  /** Resident set size in bytes. */
  memoryUsage: number;
  /** Bytes of disk the agent uses (as measured by the caller); 0 when not given. */
  diskUsage: number;
  requestsPerSecond: number;
  /** Milliseconds. */
  averageLatency: number;
  /** Failed / all requests in the window, 0..1. */
  errorRate: number;
  isHealthy: boolean;
  /** When health checks last completed; the Unix epoch (new Date(0)) when they never ran. */
  lastHealthCheck: Date;
}

/** What collectRuntimeMetrics needs from a HealthMonitor. */
export interface HealthSource {
  isHealthy(): boolean;
  report(): { lastCheck: Date | null };
}

export interface RuntimeMetricsSources {
  /** When the runtime started: epoch ms or a Date. */
  startTime: number | Date;
  restartCount: number;
  usage: UsageApi;
  /** Bytes used on disk, or a function measuring it. */
  diskUsage?: number | (() => number);
  requests: RequestStats;
  health: HealthSource;
  clock: Clock;
  /** Cores the CPU percentage is relative to (the CPU limit, or the machine's cores). Default 1. */
  cpuCores?: number;
  /** When given, the values are also set on `aral_*` and `process_*` metrics there. */
  registry?: MetricsRegistry;
}

const lastCpuSample = new WeakMap<UsageApi, { cpuMicros: number; at: number }>();
const lastCpuPercent = new WeakMap<UsageApi, number>();

/** Wall-clock epoch ms at which this process started: where its CPU-time counter starts from zero. */
export function processStartTime(): number {
  return typeof performance !== "undefined" && typeof performance.timeOrigin === "number"
    ? performance.timeOrigin
    : Date.now();
}

/**
 * Samples the runtime's metrics. CPU usage is the CPU-time delta over the wall-time delta since
 * the previous call for the same `usage`; the first call measures from the process's start (the
 * CPU-time counter's zero), so it is an honest average from the first sample on.
 */
export function collectRuntimeMetrics(sources: RuntimeMetricsSources): RuntimeMetrics {
  const now = wallTime(sources.clock);
  const startMs = sources.startTime instanceof Date ? sources.startTime.getTime() : sources.startTime;
  const cpu = sources.usage.cpu();
  const cpuMicros = cpu.userMicros + cpu.systemMicros;
  const previous = lastCpuSample.get(sources.usage) ?? { cpuMicros: 0, at: processStartTime() };
  const wallMicros = (now - previous.at) * 1000;
  const cores = sources.cpuCores !== undefined && sources.cpuCores > 0 ? sources.cpuCores : 1;
  // Two samples in the same millisecond: keep the previous window rather than divide by ~0.
  if (wallMicros >= 1000) lastCpuSample.set(sources.usage, { cpuMicros, at: now });
  const cpuUsage =
    wallMicros >= 1000
      ? Math.max(0, ((cpuMicros - previous.cpuMicros) / wallMicros / cores) * 100)
      : (lastCpuPercent.get(sources.usage) ?? 0);
  lastCpuPercent.set(sources.usage, cpuUsage);
  const disk = typeof sources.diskUsage === "function" ? sources.diskUsage() : (sources.diskUsage ?? 0);

  const metrics: RuntimeMetrics = {
    uptime: Math.max(0, now - startMs),
    restartCount: sources.restartCount,
    cpuUsage,
    memoryUsage: sources.usage.memory().rss,
    diskUsage: disk,
    requestsPerSecond: sources.requests.requestsPerSecond,
    averageLatency: sources.requests.averageLatency,
    errorRate: sources.requests.errorRate,
    isHealthy: sources.health.isHealthy(),
    lastHealthCheck: sources.health.report().lastCheck ?? new Date(0),
  };
  if (sources.registry) {
    setRuntimeGauges(sources.registry, metrics, sources.requests);
    setProcessMetrics(sources.registry, cpu, metrics.memoryUsage);
  }
  return metrics;
}

/** The standard process metrics (the names prom-client and the Go/Python clients use), on every runtime. */
export function setProcessMetrics(
  registry: MetricsRegistry,
  cpu: { userMicros: number; systemMicros: number },
  rssBytes: number,
): void {
  raiseCounter(
    registry.counter("process_cpu_user_seconds_total", "Total user CPU time spent in seconds."),
    cpu.userMicros / 1e6,
  );
  raiseCounter(
    registry.counter("process_cpu_system_seconds_total", "Total system CPU time spent in seconds."),
    cpu.systemMicros / 1e6,
  );
  raiseCounter(
    registry.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds."),
    (cpu.userMicros + cpu.systemMicros) / 1e6,
  );
  registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").set(rssBytes);
  registry
    .gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
    .set(processStartTime() / 1000);
}

/** Writes the metrics to `aral_*` series (names in base units, as promtool's linter wants). */
export function setRuntimeGauges(registry: MetricsRegistry, m: RuntimeMetrics, requests?: RequestStats): void {
  registry.gauge("aral_uptime_seconds", "Seconds since the runtime started.").set(m.uptime / 1000);
  raiseCounter(
    registry.counter("aral_restarts_total", "Restarts of the runtime since the process started."),
    m.restartCount,
  );
  registry
    .gauge(
      "aral_cpu_usage_ratio",
      "CPU time over wall time since the previous sample, as a fraction of the CPU limit (or of the machine's cores without one); 1 = the whole limit busy.",
    )
    .set(m.cpuUsage / 100);
  registry.gauge("aral_disk_usage_bytes", "Disk space used by the agent in bytes.").set(m.diskUsage);
  registry.gauge("aral_requests_per_second", "Requests per second over the sliding window.").set(m.requestsPerSecond);
  registry
    .gauge("aral_request_latency_average_seconds", "Mean request latency over the sliding window, in seconds.")
    .set(m.averageLatency / 1000);
  registry.gauge("aral_request_error_ratio", "Failed over all requests in the sliding window (0..1).").set(m.errorRate);
  registry.gauge("aral_healthy", "1 when every health check passed its latest run, else 0.").set(m.isHealthy ? 1 : 0);
  registry
    .gauge("aral_last_health_check_timestamp_seconds", "Unix time of the latest completed health check run (0: never).")
    .set(m.lastHealthCheck.getTime() / 1000);
  if (requests) {
    raiseCounter(
      registry.counter("aral_requests_total", "Requests recorded since the runtime started."),
      requests.totals.requests,
    );
    raiseCounter(
      registry.counter("aral_request_errors_total", "Failed requests recorded since the runtime started."),
      requests.totals.errors,
    );
  }
}

/** Counters only go up: move to a source's running total (a smaller total is a reset, ignored). */
export function raiseCounter(counter: { get(): number; inc(by: number): void }, total: number): void {
  const delta = total - counter.get();
  if (delta > 0) counter.inc(delta);
}
