import type { Platform, Server, ShutdownSignal } from "@aral/platform";
import type { Manifest, RuntimeConfig, RuntimeOptions } from "../config/index.ts";
import { resolveRuntimeConfig } from "../config/resolve.ts";
import { DEFAULT_STARTUP_TIMEOUT_MS } from "../config/schema.ts";
import { manifestPathFromEnvironment } from "../config/settings-variables.ts";
import type { Logger, LogSink, LogSinkLike, LogThreshold } from "../logging/index.ts";
import { consoleSink } from "../logging/console-sink.ts";
import { createLogger } from "../logging/logger.ts";
import { parseLogLevel } from "../logging/levels.ts";
import type { AuditLog } from "../logging/index.ts";
import { InvalidArgumentError, requireArgument } from "../invalid-argument.ts";
import { closest } from "../config/suggest.ts";
import type { ConfigError } from "../config/errors.ts";
import { instanceIdFromEnvironment, newInstanceId } from "./instance-id.ts";
import { openManifestAudit } from "./manifest-audit.ts";
import { HealthMonitor } from "../health/monitor.ts";
import { healthHandler } from "../health/handler.ts";
import { validateHealthCheck } from "../health/monitor.ts";
import { HealthCheckError } from "../health/errors.ts";
import type { HealthCheck, HealthReport, HealthRound, RegisterOptions as HealthCheckOptions } from "../health/index.ts";
import { EventLoopLagSampler } from "../metrics/event-loop-lag.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import { RequestStats } from "../metrics/request-stats.ts";
import { RuntimeFamilies } from "../metrics/runtime-families.ts";
import { collectRuntimeMetrics } from "../metrics/runtime-metrics.ts";
import type { FetchCounts, TaskCounts } from "../metrics/index.ts";
import { systemClock } from "@aral/platform";
import type { RuntimeMetrics } from "../metrics/index.ts";
import { ResourceManager } from "../resources/manager.ts";
import { createLimitedFetch } from "../resources/network.ts";
import { describeEnforcement } from "../resources/enforcement.ts";
import { resolveResources } from "../resources/config.ts";
import type { AllocationRequest, LimitedFetch, Lease, ResourceMonitor, Storage } from "../resources/index.ts";
import { ResourceDegradedError } from "../resources/errors.ts";
import { TaskQueue } from "../tasks/task-queue.ts";
import type { TaskOptions } from "../tasks/index.ts";
import { CircuitBreakerRegistry } from "../resilience/circuit-registry.ts";
import { CircuitOpenError, ResilienceConfigError } from "../resilience/errors.ts";
import { RuntimeErrorHandler } from "../resilience/error-handler.ts";
import type { CircuitBreaker } from "../resilience/index.ts";
import { WorkerPool } from "../workers/pool.ts";
import { otlpStartWarnings, resolveServiceName, resolveTracingSettings } from "../tracing/settings.ts";
import { TracingUnavailableError } from "../tracing/errors.ts";
import { MetricsUnavailableError } from "../metrics/errors.ts";
import { importOpenTelemetryApi } from "../opentelemetry-api.ts";
import type { PhaseTrace, RuntimeTracing } from "../tracing/runtime-tracing.ts";
import { resolveOtlpMetricsSettings } from "../metrics/otlp-settings.ts";
import type { OtlpMetricsExporter } from "../metrics/otlp-metrics-exporter.ts";
import type { GlobalMeterBridge } from "../metrics/global-meter.ts";
import type { WorkerPoolOptions } from "../workers/index.ts";
import type { RuntimeStatus } from "./status.ts";
import { canTransition } from "./status.ts";
import { LifecycleError } from "./errors.ts";
import { Listeners } from "./listeners.ts";
import { CloseRegistry } from "./closers.ts";
import type { Closable } from "./closers.ts";
import { unlessAborted, withDeadline } from "./deadline.ts";
import { exitCodeFor } from "./exit-code.ts";
import { watchSupervisor } from "./supervisor-watch.ts";

/** Breakers the runtime keeps (see CircuitBreakerRegistry's maxBreakers): far more than an agent has dependencies. */
const MAX_DEPENDENCY_BREAKERS = 1000;

/** What `new AralRuntime(config)` accepts: nothing, the `layers.runtime` fields, a whole manifest, or a manifest path. */
export type RuntimeInput = RuntimeOptions | Manifest | string | undefined;

export interface RuntimeDeps {
  /** The runtime to run on. `import { AralRuntime } from "aral"` supplies the detected one. */
  platform?: Platform;
  logger?: Logger;
  logSink?: LogSinkLike;
  audit?: AuditLog;
  /** Environment for ARAL_* overrides; defaults to the process environment. */
  env?: Record<string, string>;
  /** Install SIGINT/SIGTERM handlers that stop gracefully (default true). */
  handleSignals?: boolean;
  /** Route uncaught exceptions and unhandled rejections to the critical-error path (default: as handleSignals). */
  handleUncaught?: boolean;
  /** Exit the process after a stop that a signal or a critical error started (default: lifecycle.exitOnSignal, true). */
  exitAfterSignal?: boolean;
  /** Stop gracefully when the supervisor named by ARAL_SUPERVISOR_PID dies (Linux; default: as handleSignals). */
  watchSupervisor?: boolean;
}

export interface StopReport {
  readonly graceful: boolean;
  /** True when the shutdown timeout passed or a forced stop cut the drain short. */
  readonly forced: boolean;
  readonly reason: string;
  readonly durationMs: number;
  /**
   * Tasks of this run (since its start()): `accepted` = `finished` + `aborted` + `returned`. `finished` counts every
   * task that reached its own outcome (completed, failed, timed out or cancelled); `drain` holds only what the stop's
   * drain saw (the running tasks that finished or were aborted, the queued ones returned) - what `tasks` meant before.
   */
  readonly tasks: {
    accepted: number;
    finished: number;
    aborted: number;
    returned: number;
    drain: { finished: number; aborted: number; returned: number };
  };
  readonly closed: string[];
  /** What was still closing when the deadline passed. */
  readonly abandoned: string[];
  readonly errors: { name: string; message: string }[];
}

/** One run, from start() to stop(): everything it acquired, released together. */
interface Session {
  readonly config: RuntimeConfig;
  readonly startedAt: number;
  readonly closers: CloseRegistry;
  readonly resources: ResourceManager;
  readonly tasks: TaskQueue;
  readonly health: HealthMonitor;
  readonly errors: RuntimeErrorHandler;
  /** platform.net.fetch under the manifest's network limits (connections, timeout, bandwidth). */
  readonly fetch: LimitedFetch;
  /** Timer-drift event-loop lag, sampled while health checks or the metrics server run. */
  readonly lag: EventLoopLagSampler | undefined;
  monitor?: ResourceMonitor;
  storage?: Storage;
  server?: Server;
  /** The "restart" fallback's state in this session (see #onExhausted). */
  exhaustion?: { afterRestart: boolean; seenHealthy: boolean; pending: boolean };
}

/**
 * The agent runtime (the seed's ProcessManager): lifecycle, config, resources, task queue, health,
 * metrics and the critical-error path, on whatever Platform it is handed.
 *
 * Concurrency, as documented in lifecycle/README.md:
 * - start() while starting returns the same promise; while running, resolves at once.
 * - stop() while starting waits for the start to settle, then stops.
 * - stop() while stopping returns the same promise; stop(false) then forces the stop in progress.
 * - start() or restart() while stopping waits for that stop, then starts.
 */
export class AralRuntime {
  /** ARAL_INSTANCE_ID when the deployment sets it (a pod's name, a systemd template's instance), else a random UUID. */
  readonly instanceId: string;
  readonly platform: Platform;
  readonly logger: Logger;
  readonly #input: RuntimeInput;
  readonly #deps: RuntimeDeps;
  readonly #requests = new RequestStats();
  readonly #metricsRegistry = new MetricsRegistry({
    onSeriesLimit: (family, limit) =>
      this.logger.warn(`metrics: ${family} reached the series limit (${limit}); new label sets are dropped`, {
        event: "metrics.series_limit",
        family,
        limit,
      }),
  });
  readonly #families = new RuntimeFamilies(this.#metricsRegistry);
  /** Counts of the runs before the current one: counters keep rising across restarts. */
  readonly #earlierRuns: { tasks: TaskCounts; fetch: FetchCounts } = {
    tasks: zeroTaskCounts(),
    fetch: { requests: 0, timeouts: 0, responseBytes: 0, requestBytes: 0 },
  };
  /**
   * One breaker per external dependency, kept across restarts (a dependency's health outlives a restart). Bounded:
   * dependency names built from URLs or ids would otherwise keep a breaker each for good.
   */
  readonly #breakers = new CircuitBreakerRegistry({
    maxBreakers: MAX_DEPENDENCY_BREAKERS,
    onEvict: (name) => this.#observedBreakers.delete(name),
  });
  readonly #observedBreakers = new Set<string>();
  readonly #hooks = {
    start: new Listeners<[]>(),
    stop: new Listeners<[StopReport]>(),
    error: new Listeners<[Error]>(),
  };
  readonly #checks = new Map<string, { check: HealthCheck; options?: HealthCheckOptions }>();
  #defaultSink: LogSink = consoleSink();
  #status: RuntimeStatus = "created";
  #restartCount = 0;
  #session: Session | undefined;
  /** What the start in progress has acquired so far: released if it fails. */
  #startingClosers: CloseRegistry | undefined;
  #lastConfig: RuntimeConfig | undefined;
  #lastError: Error | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<StopReport> | undefined;
  /** stop() calls so far: a start waiting for a stop does not start when another stop() came after it. */
  #stopCalls = 0;
  #force: AbortController | undefined;
  #signalsSeen = 0;
  /** Spans, when observability.tracing (or OTEL_TRACES_EXPORTER) asks for them; undefined costs one check per task. */
  #tracing: RuntimeTracing | undefined;
  /** Pushes the metric families over OTLP when observability.metrics (or OTEL_METRICS_EXPORTER) asks for it. */
  #otlpMetrics: OtlpMetricsExporter | undefined;
  /** The families as instruments of the app's global MeterProvider (observability.metrics.exporter "global"). */
  #globalMeter: GlobalMeterBridge | undefined;
  /** The restart in progress: its span parents the stop and start spans. */
  #restartTrace: PhaseTrace | undefined;
  #unsubscribe: (() => void)[] = [];
  /** The next session is made by the "restart" fallback (see #onExhausted). */
  #restartingForExhaustion = false;
  /** deps.audit, or the file audit log logging.audit.path names (opened by the first start). */
  #audit: AuditLog | undefined;
  /** An ARAL_INSTANCE_ID that is no instance id: every start fails with this ConfigError naming it. */
  readonly #instanceIdError: ConfigError | undefined;

  constructor(config?: RuntimeInput, deps: RuntimeDeps = {}) {
    checkDeps(deps);
    if (!deps.platform) {
      throw new LifecycleError(
        "NoPlatform",
        'AralRuntime needs a Platform: import { AralRuntime } from "aral" (which picks the adapter for this runtime), or pass { platform } as the second argument',
      );
    }
    this.platform = deps.platform;
    this.#input = config;
    this.#deps = deps;
    this.#audit = deps.audit;
    const env = deps.env ?? this.platform.env.toObject();
    const fromEnvironment = instanceIdFromEnvironment(env["ARAL_INSTANCE_ID"]);
    this.instanceId = fromEnvironment.id ?? newInstanceId();
    this.#instanceIdError = fromEnvironment.error;
    this.logger =
      deps.logger ??
      createLogger({
        // A level that does not parse fails start() as a ConfigError naming ARAL_LOG_LEVEL, as every ARAL_* does.
        level: logLevelOr(env["ARAL_LOG_LEVEL"], "info"),
        // the default sink follows logging.format once the manifest is loaded
        sink: deps.logSink ?? { write: (line) => this.#defaultSink.write(line) },
        // pino's standard base fields, so pino tooling reads these lines as its own
        bindings: {
          pid: this.platform.process.pid,
          hostname: this.platform.runtime.hostname,
          instanceId: this.instanceId,
        },
      });
  }

  getStatus(): RuntimeStatus {
    return this.#status;
  }

  get restartCount(): number {
    return this.#restartCount;
  }

  /** The effective configuration of the current (or last) run; undefined before the first start. */
  get config(): RuntimeConfig | undefined {
    return this.#session?.config ?? this.#lastConfig;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Live when running and every liveness check passes. */
  isHealthy(): boolean {
    return this.#status === "running" && this.#session !== undefined && this.#session.health.isLive();
  }

  /** Ready to take work: running, readiness checks passing, and no stop begun. */
  isReady(): boolean {
    return this.#status === "running" && this.#session !== undefined && this.#session.health.isReady();
  }

  onStart(callback: () => void | Promise<void>): () => void {
    requireArgument(typeof callback === "function", "onStart() callback", "a function", callback);
    return this.#hooks.start.add(callback);
  }

  onStop(callback: (report: StopReport) => void | Promise<void>): () => void {
    requireArgument(typeof callback === "function", "onStop() callback", "a function", callback);
    return this.#hooks.stop.add(callback);
  }

  /** Called for a failed start and for every critical error (uncaught exception, unhandled rejection). */
  onError(callback: (error: Error) => void | Promise<void>): () => void {
    requireArgument(typeof callback === "function", "onError() callback", "a function", callback);
    return this.#hooks.error.add(callback);
  }

  /**
   * A health check that lives across restarts. A name already taken (by an earlier check or the built-in
   * "runtime" one) is refused at once, whether or not the runtime is running: nothing is stored that would
   * fail a later start.
   */
  addHealthCheck(name: string, check: HealthCheck, options?: HealthCheckOptions): void {
    validateHealthCheck(name, check, options ?? {}, 1);
    if (name === RUNTIME_CHECK || this.#checks.has(name))
      throw new HealthCheckError(`Health check "${name}" is already registered`, name, "duplicate");
    this.#session?.health.register(name, check, options);
    this.#checks.set(name, options ? { check, options } : { check });
  }

  /** Removes a check added with addHealthCheck (now and for later runs); returns whether there was one. */
  removeHealthCheck(name: string): boolean {
    if (!this.#checks.delete(name)) return false;
    this.#session?.health.unregister(name);
    return true;
  }

  /** Something the current run must close when it stops (a server, a connection, a timer). */
  register(name: string, closable: Closable): void {
    const closers = this.#status === "starting" ? this.#startingClosers : this.#session?.closers;
    if (!closers || (this.#status !== "running" && this.#status !== "starting")) {
      throw new LifecycleError(
        "NotRunning",
        `register() needs a starting or running runtime; status is '${this.#status}' (call start() first)`,
      );
    }
    closers.add(name, closable);
  }

  /** Reserves resources against the manifest's limits; rejects with ResourceLimitError beyond them. */
  allocate(request: AllocationRequest): Promise<Lease> {
    return this.#running("allocate").resources.allocate(request);
  }

  /** Runs work on the runtime's task queue: counted, prioritized, drained on stop. */
  submit<T>(task: (signal: AbortSignal) => Promise<T>, options?: TaskOptions): Promise<T> {
    const session = this.#running("submit");
    // Not a function: no span, no wrapper; the queue refuses it (TaskQueueConfigError "fn") as with tracing off.
    const traced = typeof task === "function" ? this.#tracing?.task(task, options) : undefined;
    if (traced) task = traced.fn as (signal: AbortSignal) => Promise<T>;
    const monitor = session.monitor;
    let result: Promise<T>;
    if (monitor && (monitor.degraded || monitor.throttled)) {
      // Admission first: under the "reject" fallback a degraded runtime refuses work; CPU throttling makes it wait.
      // But the task is checked before admission, so every path refuses the same input with the same error: bad
      // input gets the queue's TaskQueueConfigError, an already-aborted signal its TaskCancelledError.
      const started = performance.now();
      const tasks = session.tasks;
      const signal = options?.signal;
      if (tasks.check(task, options) !== undefined || signal?.aborted) {
        result = tasks.add(task, options);
      } else {
        result = monitor.admit(signal).then(
          () => tasks.add(task, options),
          (error: unknown) => {
            // Cancelled while waiting for admission: the queue answers it (TaskCancelledError, counted cancelled).
            if (signal?.aborted) return tasks.add(task, options);
            throw error;
          },
        );
      }
      result.then(
        () => this.#requests.record(performance.now() - started, true),
        () => this.#requests.record(performance.now() - started, false),
      );
    } else {
      // The queue reports the outcome to #recordRequest itself: no reaction on every task's promise.
      result = session.tasks.addObserved(task, options, this.#recordRequest);
    }
    traced?.settled(result);
    return result;
  }

  /** Request statistics for submit(): the queue's clock is performance.now() too (systemClock). */
  readonly #recordRequest = (handedInAt: number, ok: boolean): void =>
    this.#requests.record(performance.now() - handedInAt, ok);

  /** Retries `fn` with the manifest's errorHandling policy. */
  executeWithRetry<T>(fn: () => Promise<T>, context: string): Promise<T> {
    requireArgument(typeof fn === "function", "executeWithRetry() fn", "a function", fn);
    requireArgument(typeof context === "string", "executeWithRetry() context", "a string", context);
    return this.#running("executeWithRetry").errors.executeWithRetry(fn, context);
  }

  /** The circuit breaker of one external dependency, configured by errorHandling.circuitBreaker. */
  circuitBreaker(dependency: string): CircuitBreaker {
    const { threshold, timeout, halfOpenProbes } = this.#running("circuitBreaker").config.errorHandling.circuitBreaker;
    const breaker = this.#breakers.get(dependency, { threshold, timeout, halfOpenProbes });
    if (!this.#observedBreakers.has(dependency)) {
      this.#observedBreakers.add(dependency);
      breaker.onStateChange((change) => {
        this.#families.breakerTransitions.inc({ dependency: change.name, to: change.to });
        this.logger.warn(`circuit ${change.name}: ${change.from} \u2192 ${change.to}`, {
          event: "resilience.circuit",
          ...change,
        });
        void this.#audit?.append("resilience.circuit", { ...change });
      });
    }
    return breaker;
  }

  /**
   * Calls an external dependency the way the manifest says: each attempt through the dependency's circuit
   * breaker (when errorHandling.circuitBreaker.enabled), retried with backoff; an open circuit fails at once.
   * Inside a task, pass the task's signal (`{ signal }`): the call then stops when the task is aborted, and its
   * span is a child of the task's span.
   */
  callDependency<T>(
    dependency: string,
    fn: (signal: AbortSignal) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T> {
    requireArgument(
      typeof dependency === "string" && dependency.length > 0,
      "callDependency() dependency",
      "the dependency's name (a non-empty string)",
      dependency,
    );
    requireArgument(typeof fn === "function", "callDependency() fn", "a function", fn);
    const session = this.#running("callDependency");
    const breaker = session.config.errorHandling.circuitBreaker.enabled ? this.circuitBreaker(dependency) : undefined;
    const calls = this.#families.dependencyCalls;
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal))
      throw new ResilienceConfigError(
        "signal",
        `callDependency("${dependency}"): options.signal must be an AbortSignal (the task's), got ${signal === null ? "null" : typeof signal}`,
      );
    const trace = this.#tracing?.dependency(dependency, signal);
    const retryable = (error: unknown) => !(error instanceof CircuitOpenError);
    const result = session.errors.executeWithRetry(
      ({ signal, attempt }) => {
        trace?.attempt(attempt, breaker?.state);
        return breaker ? breaker.execute(fn, signal) : fn(signal);
      },
      dependency,
      trace
        ? {
            retryable,
            ...(signal ? { signal } : {}),
            onRetry: (event) => {
              this.#families.retries.inc({ context: event.context });
              trace.retry(event);
            },
          }
        : signal
          ? { retryable, signal }
          : { retryable },
    );
    result.then(
      () => {
        calls.inc({ dependency, outcome: "success" });
        trace?.end();
      },
      (error: unknown) => {
        calls.inc({ dependency, outcome: error instanceof CircuitOpenError ? "rejected" : "failure" });
        trace?.end(error);
      },
    );
    return result;
  }

  get tasks(): TaskQueue {
    return this.#running("tasks").tasks;
  }

  get resources(): ResourceManager {
    return this.#running("resources").resources;
  }

  get health(): HealthMonitor {
    return this.#running("health").health;
  }

  /** fetch with the manifest's network limits: at most `connections` in flight, a default `timeout`, the `bandwidth` cap. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    return this.#running("fetch").fetch(input, init);
  }

  /** The persistent and ephemeral storage roots with the maxSize quota; undefined unless storage.persistent is set. */
  get storage(): Storage | undefined {
    return this.#running("storage").storage;
  }

  /**
   * A pool of workers running `module` (written with defineWorker), sized from resources.cpu.limit
   * (2000m -> 2, 500m -> 1, never more than the machine's cores) unless `options.size` says otherwise;
   * terminated when the runtime stops.
   */
  createWorkerPool<In = unknown, Out = unknown>(
    module: string | URL,
    options: WorkerPoolOptions = {},
  ): WorkerPool<In, Out> {
    const session = this.#running("createWorkerPool");
    const cpuLimit = session.config.resources.cpu.limit;
    // Junk options (4, null, "big", [8]) go to the pool as given: it refuses them with WorkerPoolConfigError("options").
    const isObject = options !== null && typeof options === "object" && !Array.isArray(options);
    const userOnCrash = isObject ? options.onCrash : undefined;
    const pool: WorkerPool<In, Out> = new WorkerPool<In, Out>(
      this.platform,
      module,
      isObject
        ? {
            ...(cpuLimit === undefined ? {} : { cpuLimit }),
            ...options,
            // A junk onCrash is passed on for the pool to refuse; a function is called after the runtime logs.
            onCrash:
              typeof userOnCrash === "function"
                ? (crash) => {
                    this.#logWorkerCrash(pool, crash);
                    userOnCrash(crash);
                  }
                : (userOnCrash ?? ((crash) => this.#logWorkerCrash(pool, crash))),
          }
        : options,
    );
    // One closer for the run's live pools: a pool terminated by its owner is not kept until the runtime stops.
    pool.closeWith(session.closers, (close) => session.closers.add("worker pools", close));
    return pool;
  }

  /** A worker that died on its own: an error when nobody else hears of it (idle) or respawning stopped. */
  #logWorkerCrash(
    pool: { readonly module: string },
    crash: Parameters<NonNullable<WorkerPoolOptions["onCrash"]>>[0],
  ): void {
    const fields = {
      event: "workers.crash",
      module: pool.module,
      worker: crash.worker,
      exitCode: crash.exitCode,
      consecutive: crash.consecutive,
      respawnInMs: crash.respawnInMs,
      ...(crash.taskId === undefined ? {} : { taskId: crash.taskId }),
      ...(crash.error === undefined ? {} : { error: crash.error }),
    };
    const what = crash.taskId === undefined ? "while idle" : `running task ${crash.taskId}`;
    if (crash.respawnInMs === null) {
      this.logger.error(
        `worker ${crash.worker} crashed ${what}: ${crash.consecutive} crashes in a row, no worker is respawned until the next run() or start()`,
        fields,
      );
    } else if (crash.taskId === undefined || crash.consecutive > 1) {
      this.logger.error(
        `worker ${crash.worker} crashed ${what} (${crash.consecutive} in a row); respawning in ${crash.respawnInMs} ms`,
        fields,
      );
    } else {
      this.logger.warn(`worker ${crash.worker} crashed ${what}; respawned`, fields);
    }
  }

  /** The live resource monitor; undefined when monitoring is off or nothing is limited. */
  get monitor(): ResourceMonitor | undefined {
    return this.#running("monitor").monitor;
  }

  /** The URL of the health/metrics server, when the manifest enables it. */
  get healthUrl(): string | undefined {
    return this.#session?.server?.url;
  }

  healthReport(): HealthReport | undefined {
    return this.#session?.health.report();
  }

  /**
   * The seed's RuntimeMetrics, sampled now. cpuUsage is in percent of the CPU limit (resources.cpu.limit, else
   * the machine's cores), measured since the previous sample (the first: since the process started).
   */
  metrics(): RuntimeMetrics {
    const session = this.#session;
    const cpuLimit = (session?.config ?? this.#lastConfig)?.resources.cpu.limit;
    return collectRuntimeMetrics({
      startTime: session?.startedAt ?? Date.now(),
      restartCount: this.#restartCount,
      usage: this.platform.usage,
      requests: this.#requests,
      health: session?.health ?? NOT_RUNNING,
      clock: systemClock,
      cpuCores:
        cpuLimit === undefined ? this.platform.runtime.cpus : resolveResources({ cpu: { limit: cpuLimit } }).cpu.limit!,
      registry: this.#metricsRegistry,
    });
  }

  /** Prometheus text exposition of the runtime's metrics (what GET /metrics serves). */
  prometheusMetrics(): string {
    this.#refreshMetrics();
    return this.#metricsRegistry.render();
  }

  /** Brings every family up to date (before a scrape or an OTLP export). */
  #refreshMetrics(): void {
    this.metrics();
    const session = this.#session;
    const sample = session?.monitor?.lastSample;
    this.#families.collect(
      {
        ...(session
          ? {
              tasks: {
                counts: taskCounts(session.tasks),
                byPriority: session.tasks.byPriority(),
                waiting: session.tasks.stats().waiting,
              },
              resources: session.resources.usage(),
              health: session.health.report().checks,
              fetch: {
                inFlight: session.fetch.inFlight,
                waiting: session.fetch.waiting,
                counts: {
                  requests: session.fetch.requests,
                  timeouts: session.fetch.timeouts,
                  responseBytes: session.fetch.responseBytes,
                  requestBytes: session.fetch.requestBytes,
                },
              },
            }
          : {}),
        ...(session?.monitor
          ? {
              monitor: {
                memoryRatio: sample?.memory.ratio ?? null,
                disk: sample?.disk ?? [],
                degraded: session.monitor.degraded,
                throttled: session.monitor.throttled,
              },
            }
          : {}),
        ...(session?.lag ? { eventLoopLag: session.lag.takeMax() } : {}),
        breakers: this.#breakers.snapshot(),
        runtime: this.platform.runtime,
      },
      this.#earlierRuns,
    );
  }

  start(): Promise<void> {
    return this.#startAfter(this.#stopCalls);
  }

  /** Starts, after the stop in progress if any, unless stop() was called again since `stopCalls` were counted. */
  #startAfter(stopCalls: number): Promise<void> {
    if (this.#status === "running") return Promise.resolve();
    if (this.#starting) return this.#starting;
    const pendingStop = this.#stopping;
    this.#starting = (async () => {
      if (pendingStop) await pendingStop.catch(() => {});
      if (this.#stopCalls !== stopCalls)
        throw new LifecycleError(
          "StartCancelled",
          "start() did not start: stop() was called while it waited for the previous stop to finish",
        );
      if (this.#status === "running") return;
      await this.#start();
    })().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  stop(graceful = true): Promise<StopReport> {
    requireArgument(typeof graceful === "boolean", "stop() graceful", "a boolean", graceful);
    return this.#requestStop(graceful, graceful ? "stop requested" : "forced stop requested");
  }

  #requestStop(graceful: boolean, reason: string): Promise<StopReport> {
    this.#stopCalls++;
    if (this.#stopping) {
      if (!graceful) this.#force?.abort(new Error("forced stop requested"));
      return this.#stopping;
    }
    const pendingStart = this.#starting;
    this.#stopping = (async () => {
      if (pendingStart) await pendingStart.catch(() => {});
      return this.#stop(graceful, reason);
    })().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async restart(): Promise<void> {
    const trace = (this.#restartTrace = this.#tracing?.phase("restarting", Date.now(), {
      "aral.restart_count": this.#restartCount + 1,
    }));
    try {
      const stopping = this.stop(true);
      const stopCalls = this.#stopCalls;
      await stopping;
      if (this.#stopCalls !== stopCalls)
        throw new LifecycleError("StartCancelled", "restart() did not start again: stop() was called during it");
      this.#restartCount++;
      this.logger.info("runtime restarting", { event: "lifecycle.restart", restartCount: this.#restartCount });
      await this.#startAfter(stopCalls);
      trace?.end();
    } catch (error) {
      trace?.end(error);
      throw error;
    } finally {
      if (this.#restartTrace === trace) this.#restartTrace = undefined;
    }
  }

  async #start(): Promise<void> {
    // The "runtime starting" record waits for the manifest: its logging.level applies from the first record.
    const from = this.#status;
    const startedAt = Date.now();
    this.#transition("starting", {}, { log: false });
    const closers = (this.#startingClosers = new CloseRegistry());
    let config: RuntimeConfig | undefined;
    let trace: PhaseTrace | undefined;
    try {
      try {
        config = await this.#loadConfig();
      } finally {
        this.#logTransition(from, "starting", {});
      }
      this.#lastConfig = config;
      await this.#startTracing(config);
      await this.#loadOtlpMetrics(config);
      trace = this.#tracing?.phase(
        "starting",
        startedAt,
        { "aral.lifecycle.from": from, "aral.instance_id": this.instanceId },
        this.#restartTrace,
      );
      const timeoutMs = config.lifecycle.startupTimeout;
      // Past the deadline the start is abandoned, but #initialize may still be awaiting a step (a slow serve(), a
      // storage root on a slow mount): it checks this signal after each one, so it neither installs signal handlers
      // for a failed runtime (a later run would then count one SIGTERM twice) nor runs onStart hooks.
      const abandoned = new AbortController();
      const session = await withDeadline(this.#initialize(config, closers, abandoned.signal), timeoutMs, () => {
        const error = new LifecycleError(
          "StartupTimeout",
          `Runtime did not start within lifecycle.startupTimeout (${timeoutMs} ms)`,
        );
        abandoned.abort(error);
        return error;
      });
      this.#session = session;
      this.#transition("running");
      if (session.exhaustion?.pending) this.#onExhausted(session);
      this.#otlpMetrics?.start();
      this.#globalMeter?.sync();
      trace?.end(undefined, { "aral.lifecycle.to": "running" });
    } catch (cause) {
      const outcome = await closers.closeAll();
      const error =
        cause instanceof LifecycleError
          ? cause
          : new LifecycleError("StartupFailed", `Runtime failed to start: ${messageOf(cause)}`, { cause });
      this.#lastError = error;
      this.#unsubscribeAll();
      this.#transition("failed", { error: serializeError(error), released: outcome.closed });
      trace?.end(error, { "aral.lifecycle.to": "failed" });
      await this.#flushTraces();
      // Bounded like the start itself: an onError hook that never settles cannot keep start() from rejecting.
      const hooksMs = config?.lifecycle.startupTimeout ?? DEFAULT_STARTUP_TIMEOUT_MS;
      await withDeadline(
        this.#hooks.error.emit(error),
        hooksMs,
        () => new Error(`onError hooks still running after ${hooksMs} ms`),
      ).catch((late: unknown) =>
        this.logger.error("onError hooks did not finish: start() fails without them", {
          event: "lifecycle.hook",
          reason: messageOf(late),
        }),
      );
      throw error;
    } finally {
      this.#startingClosers = undefined;
    }
  }

  /** Loads the tracing module and @opentelemetry/api on the first start that asks for traces; nothing otherwise. */
  async #startTracing(config: RuntimeConfig): Promise<void> {
    if (this.#tracing) return;
    const settings = resolveTracingSettings(config, this.#deps.env ?? this.platform.env.toObject(), {
      ...this.platform.runtime,
      instanceId: this.instanceId,
    });
    if (!settings) return;
    const api = await importOpenTelemetryApi(
      (reason, cause) =>
        new TracingUnavailableError(
          `observability.tracing is on (manifest or OTEL_TRACES_EXPORTER) but @opentelemetry/api cannot be loaded: install it next to @aral/core (npm i @opentelemetry/api) (${reason})`,
          { cause },
        ),
    );
    const { createRuntimeTracing } = await import("../tracing/runtime-tracing.ts");
    this.#tracing = createRuntimeTracing(api, settings, {
      fetch: (input, init) => this.platform.net.fetch(input, init),
      onExportError: (error) =>
        this.logger.warn("trace export failed", { event: "tracing.export", error: error.message }),
    });
    if (settings.samplerWarning && settings.exporter === "otlp")
      this.logger.warn(settings.samplerWarning, { event: "tracing.sampler" });
    this.logger.info("tracing on", {
      event: "tracing.start",
      exporter: settings.exporter,
      ...(settings.exporter === "otlp" ? { endpoint: settings.endpoint, sampler: settings.sampler } : {}),
    });
  }

  /** Loads the OTLP metrics exporter or the global-MeterProvider bridge on the first start that asks for one; nothing otherwise. */
  async #loadOtlpMetrics(config: RuntimeConfig): Promise<void> {
    if (this.#otlpMetrics || this.#globalMeter) return;
    const settings = resolveOtlpMetricsSettings(config, this.#deps.env ?? this.platform.env.toObject(), {
      ...this.platform.runtime,
      instanceId: this.instanceId,
    });
    if (!settings) return;
    if (settings.exporter === "global") {
      const api = await importOpenTelemetryApi(
        (reason, cause) =>
          new MetricsUnavailableError(
            `observability.metrics.exporter is "global" but @opentelemetry/api cannot be loaded: install it next to @aral/core (npm i @opentelemetry/api) and register your SDK's MeterProvider (${reason})`,
            { cause },
          ),
      );
      const { createGlobalMeterBridge } = await import("../metrics/global-meter.ts");
      const { bridge, registered } = createGlobalMeterBridge(api, this.#metricsRegistry, () => {
        this.#refreshMetrics();
        return this.#metricsRegistry.collect();
      });
      this.#globalMeter = bridge;
      if (registered) this.logger.info("metrics on the global MeterProvider", { event: "metrics.global" });
      else
        this.logger.warn(
          'observability.metrics.exporter is "global" but no MeterProvider is registered with @opentelemetry/api: register your SDK\'s before start(); the metrics go nowhere',
          { event: "metrics.global" },
        );
      return;
    }
    const { OtlpMetricsExporter } = await import("../metrics/otlp-metrics-exporter.ts");
    this.#otlpMetrics = new OtlpMetricsExporter(settings, {
      read: () => {
        this.#refreshMetrics();
        return this.#metricsRegistry.collect();
      },
      fetch: (input, init) => this.platform.net.fetch(input, init),
      onError: (error) => this.logger.warn("metrics export failed", { event: "metrics.export", error: error.message }),
    });
    this.logger.info("OTLP metrics export on", {
      event: "metrics.otlp",
      endpoint: settings.endpoint,
      intervalMs: settings.intervalMs,
    });
  }

  /** The last OTLP metrics export of a run (the final counts), bounded like the trace flush. */
  async #flushOtlpMetrics(): Promise<void> {
    const exporter = this.#otlpMetrics;
    if (!exporter) return;
    const timer = new AbortController();
    await Promise.race([exporter.stop(), systemClock.sleep(5_000, timer.signal).catch(() => {})]);
    timer.abort();
  }

  /** Sends the spans ended so far, bounded so an unreachable collector cannot hold up a stop. */
  async #flushTraces(): Promise<void> {
    const tracing = this.#tracing;
    if (!tracing) return;
    const timer = new AbortController();
    await Promise.race([tracing.flush(), systemClock.sleep(5_000, timer.signal).catch(() => {})]);
    timer.abort();
  }

  /**
   * The manifest's own startupTimeout is not known before it is read, so the read is bounded by the one the
   * environment sets (ARAL_LIFECYCLE_STARTUP_TIMEOUT), else the default: a FIFO or a hung network mount must not
   * hold start(), and a stop() waiting for it, forever.
   */
  async #readManifest(path: string, options: { variable?: string }, env: Record<string, string>): Promise<Manifest> {
    let timeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;
    try {
      timeoutMs = resolveRuntimeConfig({}, env).lifecycle.startupTimeout;
    } catch {
      // a bad ARAL_* variable is reported with the manifest's own issues once it is read
    }
    const { loadManifest } = await import("../config/load.ts");
    return withDeadline(
      loadManifest(this.platform, path, options),
      timeoutMs,
      () =>
        new LifecycleError(
          "StartupTimeout",
          `Reading the manifest ${path} did not finish within lifecycle.startupTimeout (${timeoutMs} ms)`,
        ),
    );
  }

  async #loadConfig(): Promise<RuntimeConfig> {
    const env = this.#deps.env ?? this.platform.env.toObject();
    if (this.#instanceIdError) throw this.#instanceIdError;
    // No configuration given: the manifest a supervisor or an export names (aral run/up, systemd, Kubernetes).
    const manifestVariable = this.#input === undefined ? manifestPathFromEnvironment(env) : undefined;
    const path = manifestVariable ?? (typeof this.#input === "string" ? this.#input : undefined);
    // A manifest file's readers (formats, JSONC, YAML) load only when there is a file to read.
    const input =
      path === undefined
        ? (this.#input as Exclude<RuntimeInput, string>)
        : await this.#readManifest(path, manifestVariable === undefined ? {} : { variable: "ARAL_MANIFEST" }, env);
    const config = resolveRuntimeConfig(input, env);
    if (!this.#deps.logger) this.logger.level = config.logging.level;
    this.#metricsRegistry.setConstantLabels({
      agent: resolveServiceName(config, env),
      instance_id: this.instanceId,
    });
    for (const warning of otlpStartWarnings(config, env)) this.logger.warn(warning, { event: "otlp.settings" });
    this.#defaultSink =
      config.logging.format === "pretty" ? (await import("../logging/pretty-sink.ts")).prettySink() : consoleSink();
    this.#audit ??= await openManifestAudit(this.platform, config.logging.audit);
    const { name, version } = this.platform.runtime;
    if (config.platform !== "auto" && config.platform !== name) {
      this.logger.warn(`manifest says platform '${config.platform}' but this is ${name}`, {
        event: "config.platform",
        expected: config.platform,
        actual: name,
      });
    }
    if (config.version && compareVersions(version, config.version) < 0) {
      this.logger.warn(`manifest asks for ${config.platform} \u2265 ${config.version}; this is ${name} ${version}`, {
        event: "config.version",
        expected: config.version,
        actual: version,
      });
    }
    return config;
  }

  async #initialize(config: RuntimeConfig, closers: CloseRegistry, abandoned: AbortSignal): Promise<Session> {
    const resolved = resolveResources(config.resources);
    const resources = new ResourceManager(resolved);
    closers.add(
      "resource events",
      resources.onEvent((event) => {
        this.logger.debug("resource event", { event: `resources.${event.type}`, ...event });
        void this.#audit?.append(`resources.${event.type}`, { ...event });
      }),
    );
    // A lease of a stopped run says so (released: true); its release events are logged before the subscription ends.
    closers.add("resource leases", () => resources.releaseAll());
    for (const field of describeEnforcement(resolved, this.platform)) {
      if (field.value !== null)
        this.logger.info(`resources.${field.field}: ${field.status}`, { event: "resources.enforcement", ...field });
    }
    const { network } = resolved;
    const fetch = createLimitedFetch({
      fetch: this.platform.net.fetch,
      ...(network.connections === undefined ? {} : { connections: network.connections }),
      ...(network.timeout === undefined ? {} : { timeout: network.timeout }),
      ...(network.bandwidth === undefined ? {} : { bandwidth: network.bandwidth }),
      waitForSlot: config.resources.network.overflow !== "reject",
    });
    resources.shareConnections(fetch);
    const storage = await this.#openStorage(config, closers);
    abandoned.throwIfAborted();

    const { concurrency, maxQueued, overflow, timeout } = config.tasks;
    const durations = this.#families.taskDuration;
    const tasks = new TaskQueue({
      concurrency,
      maxQueued,
      overflow,
      ...(timeout === undefined ? {} : { defaultTimeoutMs: timeout }),
      onRunSettled: (ms) => durations.observe(ms / 1000),
      onAbandoned: (task) =>
        this.logger.warn(
          `task ${task.id} ignored its ${task.reason === "timeout" ? "timeout's" : "shutdown"} abort for ${task.graceMs} ms: its slot is freed`,
          { event: "tasks.abandoned", ...task },
        ),
    });
    closers.add("task queue", () => tasks.shutdown({ timeoutMs: 0 }));

    const health = new HealthMonitor({
      interval: config.lifecycle.healthcheck.interval,
      timeout: config.lifecycle.healthcheck.timeout,
      instanceId: this.instanceId,
      logger: this.logger,
      startTime: Date.now(),
      ...(this.#tracing ? { onRound: (round: HealthRound) => this.#tracing?.healthRound(round) } : {}),
    });
    // Alive while draining too: a failing liveness probe during a graceful stop would have the kubelet kill it mid-drain
    // (readiness fails at once instead: setAccepting(false)).
    health.register(
      RUNTIME_CHECK,
      () => this.#status === "running" || this.#status === "starting" || this.#status === "stopping",
      { kind: "liveness" },
    );
    for (const [name, { check, options }] of this.#checks) health.register(name, check, options);
    if (config.lifecycle.healthcheck.enabled) health.start();
    closers.add("health checks", () => health.stop());

    const errors = new RuntimeErrorHandler({
      maxRetries: config.errorHandling.maxRetries,
      backoffMs: config.errorHandling.backoffMs,
      maxBackoffMs: config.errorHandling.maxBackoffMs,
      backoffStrategy: config.errorHandling.backoffStrategy,
      jitter: config.errorHandling.jitter,
      onRetry: (event) => this.#families.retries.inc({ context: event.context }),
      logger: this.logger,
      shutdown: (reason: unknown) => this.#stopAfter("critical error", reason),
    });

    const lag =
      config.health?.enabled || config.lifecycle.healthcheck.enabled ? new EventLoopLagSampler(systemClock) : undefined;
    if (lag) {
      lag.start();
      closers.add("event-loop lag sampler", () => lag.stop());
    }
    const session: Session = {
      config,
      startedAt: Date.now(),
      closers,
      resources,
      tasks,
      health,
      errors,
      fetch,
      lag,
      ...(storage ? { storage } : {}),
    };
    const monitor = await this.#startMonitor(config, resolved, session);
    if (monitor) session.monitor = monitor;
    abandoned.throwIfAborted();
    if (config.health?.enabled) {
      const handler = healthHandler({
        monitor: health,
        metrics: () => this.prometheusMetrics(),
        exposeDetails: config.health.exposeDetails,
      });
      session.server = await this.platform.net.serve(handler, {
        hostname: config.health.hostname,
        port: config.health.port,
      });
      // added even when the start was abandoned meanwhile: the registry then closes it at once
      closers.add("health server", session.server);
      abandoned.throwIfAborted();
      this.logger.info("health endpoints listening", { event: "health.listen", url: session.server.url });
    }

    closers.add(
      "critical error listener",
      errors.onCritical(
        async (error) =>
          void (await this.#hooks.error.emit(error instanceof Error ? error : new Error(messageOf(error)))),
      ),
    );
    this.#installProcessHandlers(errors, config);
    const failures = await this.#hooks.start.emit();
    if (failures.length) throw failures[0];
    return session;
  }

  async #openStorage(config: RuntimeConfig, closers: CloseRegistry): Promise<Storage | undefined> {
    const { persistent, ephemeral, maxSize, cleanup } = config.resources.storage;
    if (persistent === undefined) return undefined;
    const ephemeralRoot = ephemeral ?? (await this.platform.fs.makeTempDir({ prefix: "aral-ephemeral-" }));
    const { createStorage, STALE_TEMP_FILE_AGE_MS } = await import("../resources/storage.ts");
    const storage = await createStorage(this.platform, {
      persistent,
      ephemeral: ephemeralRoot,
      ...(maxSize === undefined ? {} : { maxSize }),
    });
    // Temp files of writes a crashed process left behind (in the persistent area above all): swept at start and then
    // once per STALE_TEMP_FILE_AGE_MS, so one left just before a restart goes within two of them.
    let sweep: Promise<unknown> | undefined;
    const sweepStaleTemps = (): void => {
      sweep ??= storage
        .removeStaleTempFiles()
        .then(
          (removed) =>
            removed.length &&
            this.logger.info("stale temp files of writes removed", { event: "storage.stale-temp", removed }),
          (error: unknown) => this.logger.warn("stale temp file sweep failed", { event: "storage.stale-temp", error }),
        )
        .finally(() => (sweep = undefined));
    };
    sweepStaleTemps();
    const sweepTimer = setInterval(sweepStaleTemps, STALE_TEMP_FILE_AGE_MS);
    closers.add("stale temp file sweep", async () => {
      clearInterval(sweepTimer);
      await sweep;
    });
    if (cleanup.maxAge !== undefined) {
      const maxAge = cleanup.maxAge;
      // One pass at a time, at most once a second (a tiny maxAge must not spin); a pass after the ephemeral area
      // is removed on stop finds nothing (cleanupOlderThan returns []).
      let pass: Promise<unknown> | undefined;
      const timer = setInterval(
        () => {
          pass ??= storage
            .cleanupOlderThan(maxAge)
            .then(
              (removed) =>
                removed.length && this.logger.info("ephemeral files expired", { event: "storage.cleanup", removed }),
              (error: unknown) => this.logger.warn("ephemeral cleanup failed", { event: "storage.cleanup", error }),
            )
            .finally(() => (pass = undefined));
        },
        Math.min(Math.max(maxAge, 1000), 60_000),
      );
      closers.add("ephemeral cleanup timer", () => clearInterval(timer));
    }
    if (cleanup.onStop) {
      closers.add("ephemeral files", async () => {
        await storage.cleanupEphemeral();
        // The temp directory made above for want of a configured root is this instance's too: leave nothing behind.
        if (ephemeral === undefined) await this.platform.fs.remove(ephemeralRoot);
      });
    }
    return storage;
  }

  /** Samples memory, CPU and disk against the limits; applies the fallback policy while exhausted. */
  async #startMonitor(
    config: RuntimeConfig,
    resolved: ReturnType<typeof resolveResources>,
    session: Session,
  ): Promise<ResourceMonitor | undefined> {
    const limited =
      resolved.memory.limit !== undefined || resolved.cpu.limit !== undefined || session.storage !== undefined;
    if (!config.resources.monitor.enabled || !limited) return undefined;
    const { createResourceMonitor } = await import("../resources/monitor.ts");
    const monitor = createResourceMonitor(
      this.platform,
      resolved,
      session.storage
        ? { storageQuota: () => ({ total: session.storage!.usage().total, maxSize: session.storage!.maxSize }) }
        : {},
    );
    const exhaustion = { afterRestart: this.#restartingForExhaustion, seenHealthy: false, pending: false };
    this.#restartingForExhaustion = false;
    session.exhaustion = exhaustion;
    session.closers.add(
      "resource monitor events",
      monitor.onEvent((event) => {
        // Evaluated right after the sample event: a microtask later, degraded says how this sample came out.
        if (event.type === "sample")
          return void queueMicrotask(() => monitor.degraded || (exhaustion.seenHealthy = true));
        const level =
          event.type === "degraded" || event.type === "disk-warning" || event.type === "error" ? "warn" : "info";
        this.logger[level](`resources ${event.type}`, {
          event: `resources.${event.type}`,
          ...("reasons" in event ? { reasons: event.reasons } : {}),
          ...(event.type === "error"
            ? { error: messageOf(event.error), ...(event.root ? { root: event.root } : {}) }
            : {}),
        });
        void this.#audit?.append(`resources.${event.type}`, "reasons" in event ? { reasons: [...event.reasons] } : {});
        if (event.type === "degraded" && event.policy === "shed") {
          const shed = session.tasks.shed("normal");
          if (shed) this.logger.warn("shed low-priority tasks", { event: "resources.shed", count: shed });
        }
        if (event.type === "restart-requested") this.#onExhausted(session);
      }),
    );
    monitor.start();
    session.closers.add("resource monitor", () => monitor.stop());
    return monitor;
  }

  /**
   * The "restart" fallback: a monitor reports exhaustion. Reported while starting, it acts once running. The first
   * time, the runtime restarts in place. If the session that restart made is exhausted before it was ever seen
   * within its limits, a restart in place does not help (memory a process holds stays held): the runtime stops and
   * the process exits 1, so that its supervisor (aral, systemd, Kubernetes) starts a new one.
   */
  #onExhausted(session: Session): void {
    const exhaustion = session.exhaustion!;
    if (this.#session !== session || this.#status !== "running") {
      exhaustion.pending = true;
      return;
    }
    exhaustion.pending = false;
    const reasons = session.monitor?.reasons ?? [];
    if (exhaustion.afterRestart && !exhaustion.seenHealthy) {
      this.logger.error("resources still exhausted after a restart: stopping the process for its supervisor", {
        event: "resources.restart-failed",
        reasons: [...reasons],
      });
      void this.#stopAfter("resources exhausted after a restart", new ResourceDegradedError(reasons));
      return;
    }
    this.#restartingForExhaustion = true;
    this.logger.warn("resources exhausted: restarting", { event: "resources.restart", reasons: [...reasons] });
    this.restart()
      .catch((error: unknown) =>
        this.logger.error("restart for exhausted resources failed", { event: "resources.restart", error }),
      )
      .finally(() => (this.#restartingForExhaustion = false));
  }

  #installProcessHandlers(errors: RuntimeErrorHandler, config: RuntimeConfig): void {
    const handleSignals = this.#deps.handleSignals ?? true;
    if (handleSignals) {
      for (const signal of config.lifecycle.shutdownSignals) {
        this.#unsubscribe.push(this.platform.signals.on(signal, () => this.#onSignal(signal)));
      }
    }
    if (this.#deps.watchSupervisor ?? handleSignals) {
      // Under @aral/supervisor: if the supervisor dies, stop gracefully rather than run on unwatched. Not a
      // counted signal, so the SIGTERM the supervisor's watcher also sends does not force the stop.
      const unwatch = watchSupervisor(this.platform, this.#deps.env ?? this.platform.env.toObject(), {
        onGone: (pid) => {
          this.logger.warn("supervisor gone: stopping gracefully", {
            event: "lifecycle.supervisor-gone",
            supervisorPid: pid,
          });
          void this.#stopAfter(`supervisor ${pid} gone`);
        },
        onUnwatchable: (pid, reason) =>
          this.logger.warn("cannot watch the supervisor: it is not watched", {
            event: "lifecycle.supervisor-unwatchable",
            supervisorPid: pid,
            reason,
          }),
      });
      if (unwatch) this.#unsubscribe.push(unwatch);
    }
    if (this.#deps.handleUncaught ?? handleSignals) {
      this.#unsubscribe.push(
        this.platform.process.onUncaught((error, kind) => {
          void errors.handleCriticalError(error instanceof Error ? error : new Error(`${kind}: ${messageOf(error)}`));
        }),
      );
    }
  }

  #onSignal(signal: ShutdownSignal): void {
    this.#signalsSeen++;
    if (this.#signalsSeen > 1) {
      this.logger.warn("second signal: forcing stop", { event: "lifecycle.signal", signal });
      void this.stop(false);
      return;
    }
    this.logger.info("signal received: stopping gracefully", { event: "lifecycle.signal", signal });
    void this.#stopAfter(`signal ${signal}`, undefined, signal);
  }

  /** A stop the runtime started itself (signal, critical error): stop, then exit with a code that says how it went. */
  async #stopAfter(reason: string, cause?: unknown, signal?: ShutdownSignal): Promise<void> {
    const report = await this.#requestStop(true, reason);
    const clean = cause === undefined && !report.forced && report.errors.length === 0;
    const code = exitCodeFor({
      clean,
      ...(signal ? { signal } : {}),
      signalExitCode: this.config?.lifecycle.signalExitCode ?? false,
    });
    if (!(this.#deps.exitAfterSignal ?? this.config?.lifecycle.exitOnSignal ?? true)) {
      this.logger.info("runtime stopped; the process stays (lifecycle.exitOnSignal: false)", {
        event: "lifecycle.stay",
        reason,
        code,
      });
      return;
    }
    this.logger.info("runtime exiting", { event: "lifecycle.exit", reason, code });
    // Nothing the stop recorded may be lost to the exit: the audit's "stopping"/"stopped" records and the last log lines.
    await this.#audit
      ?.flush()
      .catch((error: unknown) => this.logger.error("audit flush before exit failed", { event: "audit.flush", error }));
    // a logger's flush that throws or returns no promise (pino's flush(cb)) must not keep the process from exiting
    await Promise.resolve()
      .then(() => this.logger.flush())
      .catch(() => {});
    this.platform.process.exit(code);
  }

  async #stop(graceful: boolean, reason: string): Promise<StopReport> {
    const session = this.#session;
    const started = performance.now();
    if (!session || this.#status !== "running") {
      const none = { finished: 0, aborted: 0, returned: 0 };
      return {
        graceful,
        forced: false,
        reason: `nothing to stop (status ${this.#status})`,
        durationMs: 0,
        tasks: { accepted: 0, ...none, drain: none },
        closed: [],
        abandoned: [],
        errors: [],
      };
    }
    this.#transition("stopping", { graceful });
    const trace = this.#tracing?.phase(
      "stopping",
      Date.now(),
      { "aral.lifecycle.graceful": graceful, "aral.stop.reason": reason },
      this.#restartTrace,
    );
    session.health.setAccepting(false);
    const force = (this.#force = new AbortController());
    const timeoutMs = session.config.lifecycle.shutdownTimeout;
    let timer = setTimeout(
      () => force.abort(new Error(`lifecycle.shutdownTimeout (${timeoutMs} ms) passed`)),
      timeoutMs,
    );
    const errors: { name: string; message: string }[] = [];
    try {
      const drain = await session.tasks.shutdown({ timeoutMs: graceful ? timeoutMs : 0, signal: force.signal });
      const outcome = await session.closers.closeAll(force.signal);
      const counts = taskCounts(session.tasks);
      this.#prometheusBeforeSessionEnds(session, counts);
      for (const failure of outcome.failed) errors.push({ name: failure.name, message: messageOf(failure.error) });
      this.#unsubscribeAll();
      this.#session = undefined;
      const report: StopReport = {
        graceful,
        forced: force.signal.aborted || !graceful,
        reason: force.signal.aborted ? `${reason}; ${messageOf(force.signal.reason)}` : reason,
        durationMs: Math.round(performance.now() - started),
        tasks: {
          accepted: counts.accepted,
          finished: counts.completed + counts.failed + counts.timedOut + counts.cancelled,
          aborted: counts.aborted,
          returned: counts.returned,
          drain,
        },
        closed: outcome.closed,
        abandoned: outcome.abandoned,
        errors,
      };
      this.#transition("stopped", { ...report });
      trace?.end(undefined, {
        "aral.lifecycle.to": "stopped",
        "aral.stop.forced": report.forced,
        "aral.tasks.accepted": report.tasks.accepted,
        "aral.tasks.finished": report.tasks.finished,
        "aral.tasks.aborted": report.tasks.aborted,
        "aral.tasks.returned": report.tasks.returned,
      });
      await Promise.all([this.#flushTraces(), this.#flushOtlpMetrics()]);
      // stop() resolves with the "stopped" record on disk: a caller may read or verify the audit log next
      await this.#audit
        ?.flush()
        .catch((error: unknown) => this.logger.error("audit flush failed", { event: "audit.flush", error }));
      // The hooks get a deadline of their own (as systemd's ExecStopPost): one that never settles cannot hold the
      // stop, or a restart waiting for it, forever; stop(false) or a second signal cuts them short.
      const hooks = (this.#force = new AbortController());
      clearTimeout(timer);
      timer = setTimeout(
        () => hooks.abort(new Error(`onStop hooks still running after lifecycle.shutdownTimeout (${timeoutMs} ms)`)),
        timeoutMs,
      );
      const failures = await unlessAborted(this.#hooks.stop.emit(report), hooks.signal);
      for (const failure of failures ?? []) {
        this.logger.error("onStop hook failed", { event: "lifecycle.hook", error: failure });
      }
      if (failures !== undefined) return report;
      this.logger.error("onStop hooks did not finish: the stop completes without them", {
        event: "lifecycle.hook",
        reason: messageOf(hooks.signal.reason),
      });
      return { ...report, forced: true, abandoned: [...report.abandoned, "onStop hooks"] };
    } finally {
      clearTimeout(timer);
      this.#force = undefined;
      this.#signalsSeen = 0;
    }
  }

  #running(operation: string): Session {
    if (this.#status !== "running" || !this.#session) {
      throw new LifecycleError(
        "NotRunning",
        `${operation}() needs a running runtime; status is '${this.#status}' (call start() first)`,
      );
    }
    return this.#session;
  }

  #unsubscribeAll(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /** Adds a run's counts to the totals of earlier runs, so the counters keep rising after the session is gone. */
  #prometheusBeforeSessionEnds(session: Session, counts: TaskCounts): void {
    for (const key of Object.keys(counts) as (keyof TaskCounts)[]) this.#earlierRuns.tasks[key] += counts[key];
    this.#earlierRuns.fetch.requests += session.fetch.requests;
    this.#earlierRuns.fetch.timeouts += session.fetch.timeouts;
    this.#earlierRuns.fetch.responseBytes += session.fetch.responseBytes;
    this.#earlierRuns.fetch.requestBytes += session.fetch.requestBytes;
  }

  #transition(to: RuntimeStatus, details: Record<string, unknown> = {}, options: { log?: boolean } = {}): void {
    const from = this.#status;
    if (!canTransition(from, to)) throw new Error(`internal: illegal lifecycle transition ${from} \u2192 ${to}`);
    this.#status = to;
    if (options.log !== false) this.#logTransition(from, to, details);
  }

  #logTransition(from: RuntimeStatus, to: RuntimeStatus, details: Record<string, unknown>): void {
    const level = to === "failed" ? "error" : "info";
    this.logger[level](`runtime ${to}`, { event: "lifecycle.transition", from, to, ...details });
    void this.#audit?.append("lifecycle.transition", { instanceId: this.instanceId, from, to });
  }
}

/** Every RuntimeDeps key (`satisfies` keeps the list in step with the interface). */
const DEPS_KEYS: readonly string[] = Object.keys({
  platform: true,
  logger: true,
  logSink: true,
  audit: true,
  env: true,
  handleSignals: true,
  handleUncaught: true,
  exitAfterSignal: true,
  watchSupervisor: true,
} satisfies Record<keyof RuntimeDeps, true>);

/**
 * The second argument of `new AralRuntime()`: an object of known keys with values of the right kind. A misspelt key
 * (`handlesignals`), a switch given as "no" (truthy) or an env value that is no string were taken silently and
 * ignored, or failed deep inside start().
 */
function checkDeps(deps: unknown): asserts deps is RuntimeDeps {
  const what = "new AralRuntime() deps (its second argument)";
  requireArgument(
    deps !== null && typeof deps === "object" && !Array.isArray(deps),
    what,
    "an object such as { platform, logSink, env, handleSignals }",
    deps,
  );
  const given = deps as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (DEPS_KEYS.includes(key)) continue;
    const near = closest(key, DEPS_KEYS);
    throw new InvalidArgumentError(
      `${what}: key ${JSON.stringify(key)}`,
      near ? `a known key (did you mean ${JSON.stringify(near)}?)` : `one of the known keys: ${DEPS_KEYS.join(", ")}`,
      given[key],
    );
  }
  for (const key of ["handleSignals", "handleUncaught", "exitAfterSignal", "watchSupervisor"]) {
    const value = given[key];
    requireArgument(value === undefined || typeof value === "boolean", `deps.${key}`, "a boolean", value);
  }
  const { env, logger, logSink, audit } = given;
  if (env !== undefined) {
    requireArgument(
      env !== null && typeof env === "object" && !Array.isArray(env),
      "deps.env",
      "an object of strings",
      env,
    );
    for (const [name, value] of Object.entries(env as Record<string, unknown>))
      requireArgument(value === undefined || typeof value === "string", `deps.env.${name}`, "a string", value);
  }
  if (logger !== undefined) {
    const methods = logger as Record<string, unknown> | null;
    requireArgument(
      methods !== null &&
        typeof methods === "object" &&
        ["debug", "info", "warn", "error"].every((level) => typeof methods[level] === "function"),
      "deps.logger",
      "a Logger (createLogger()) with debug, info, warn and error",
      logger,
    );
    // one or the other: a logSink beside a logger was never written to
    requireArgument(
      logSink === undefined,
      "deps.logSink",
      "left out when deps.logger is given (the logger writes to its own sink)",
      logSink,
    );
  }
  if (audit !== undefined) {
    const log = audit as Record<string, unknown> | null;
    requireArgument(
      log !== null &&
        typeof log === "object" &&
        typeof log["append"] === "function" &&
        typeof log["flush"] === "function",
      "deps.audit",
      "an AuditLog",
      audit,
    );
  }
}

/** ARAL_LOG_LEVEL for the logger made before the configuration is read; `fallback` when it does not parse. */
function logLevelOr(value: string | undefined, fallback: LogThreshold): LogThreshold {
  try {
    return parseLogLevel(value, fallback);
  } catch {
    return fallback;
  }
}

function zeroTaskCounts(): TaskCounts {
  return { accepted: 0, completed: 0, failed: 0, timedOut: 0, cancelled: 0, returned: 0, aborted: 0, rejected: 0 };
}

function taskCounts(queue: TaskQueue): TaskCounts {
  const { accepted, completed, failed, timedOut, cancelled, returned, aborted, rejected } = queue.stats();
  return { accepted, completed, failed, timedOut, cancelled, returned, aborted, rejected };
}

/** The liveness check every run registers: the runtime is starting or running. */
const RUNTIME_CHECK = "runtime";

const NOT_RUNNING = { isHealthy: () => false, report: () => ({ lastCheck: null }) };

/** Compares dotted numeric versions ("22.23.3" vs "20"): negative, zero or positive. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function serializeError(error: Error): { name: string; message: string; cause?: string } {
  return error.cause === undefined
    ? { name: error.name, message: error.message }
    : { name: error.name, message: error.message, cause: messageOf(error.cause) };
}
