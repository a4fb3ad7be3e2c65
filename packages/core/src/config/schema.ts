import {
  array,
  boolean,
  directory,
  doc,
  integer,
  milliseconds,
  object,
  oneOf,
  quantity,
  quantityValue,
  ratio,
  string,
  toggle,
  withDefault,
} from "./fields.ts";
import type { ObjectField, Report } from "./fields.ts";

/** lifecycle.startupTimeout when the manifest does not set it (and the bound on reading the manifest itself). */
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;

/**
 * The one schema of the agent manifest, as plain field descriptions (fields.ts). Validation (with every
 * default, validate.ts), the published JSON Schema (schema/manifest.schema.json) and the ARAL_* table all
 * come from it; the TypeScript types below are written out (keep them in step when a field changes). The seed's
 * fields come first in each section; the fields beyond the seed are documented in config/README.md.
 */

/** Manifest format versions this SDK reads (`aral.version`). */
export const SUPPORTED_MANIFEST_VERSIONS = ["1.0"] as const;

function requestWithinLimit(kind: "cpu" | "bytes") {
  return (section: { limit?: string | number; request?: string | number }, report: Report) => {
    if (section.limit === undefined || section.request === undefined) return;
    let request: number;
    let limit: number;
    try {
      request = quantityValue(kind, section.request);
      limit = quantityValue(kind, section.limit);
    } catch {
      return; // a malformed quantity has its own issue already
    }
    if (request > limit) {
      report({
        path: ["request"],
        value: section.request,
        message: `request ${JSON.stringify(section.request)} is more than limit ${JSON.stringify(section.limit)}`,
        expected: `at most the limit (${JSON.stringify(section.limit)})`,
      });
    }
  };
}

const opt = { optional: true };

const cpu: ObjectField = {
  ...object(
    {
      limit: doc(quantity("cpu", { positive: true }), 'Most CPU the agent may use, in cores ("2000m" = 2 cores).', opt),
      request: doc(quantity("cpu"), "CPU guaranteed to the agent (reserved at start); at most `limit`.", opt),
      throttling: doc(toggle(), "Throttle admission of new work while CPU use is over the limit.", {
        default: "disabled",
      }),
    },
    "CPU limit and request.",
  ),
  check: requestWithinLimit("cpu"),
};

const memory: ObjectField = {
  ...object(
    {
      limit: doc(quantity("bytes", { positive: true }), 'Most memory the agent may use ("2Gi").', opt),
      request: doc(quantity("bytes"), 'Memory guaranteed to the agent ("512Mi"); at most `limit`.', opt),
      swap: doc(toggle(), "Whether the supervised agent process may use swap.", { default: "disabled" }),
    },
    "Memory limit and request.",
  ),
  check: requestWithinLimit("bytes"),
};

const pids = object(
  {
    limit: doc(
      integer(1),
      "Most tasks (processes and threads) the supervised agent and everything it spawns may have; kernel-enforced in its cgroup.",
      { default: 1_024 },
    ),
  },
  "Process count limit (a fork bomb stops here).",
);

const storage = object(
  {
    persistent: doc(directory(), 'Root directory for data kept across runs ("/data").', opt),
    ephemeral: doc(directory(), 'Root directory for temporary files ("/tmp"), cleaned by the cleanup policy.', opt),
    maxSize: doc(quantity("bytes"), 'Most bytes the agent may write under its storage roots ("10Gi").', opt),
    cleanup: withDefault(
      object(
        {
          onStop: doc(boolean(), "Remove the agent's ephemeral files when the runtime stops.", { default: true }),
          maxAge: doc(milliseconds(), "Remove ephemeral files older than this many milliseconds.", opt),
        },
        "Cleanup policy for ephemeral files.",
      ),
      {},
    ),
  },
  "Storage roots and quota.",
);

const network = object(
  {
    bandwidth: doc(
      quantity("bandwidth", { positive: true }),
      'Cap on request and response body throughput ("100Mbps").',
      opt,
    ),
    connections: doc(integer(1), "Most concurrent outgoing connections.", opt),
    timeout: doc(milliseconds(), "Default timeout of every outgoing request, in milliseconds.", { default: 30_000 }),
    overflow: doc(oneOf(["wait", "reject"]), "When every connection is busy: wait in order, or fail fast.", {
      default: "wait",
    }),
  },
  "Outgoing network limits.",
);

const thresholds = object(
  {
    memory: doc(
      ratio({ allowZero: false, allowOne: true }),
      "Degrade when memory use reaches this fraction of the memory limit.",
      { default: 0.9 },
    ),
    cpu: doc(
      ratio({ allowZero: false, allowOne: true }),
      "Degrade when CPU use reaches this fraction of the CPU limit.",
      { default: 0.9 },
    ),
    disk: doc(
      ratio({ allowZero: false, allowOne: true }),
      "Degrade when storage use reaches this fraction of maxSize (or of the disk).",
      { default: 0.9 },
    ),
  },
  "Usage fractions that put the runtime into the degraded state.",
);

const monitor = object(
  {
    enabled: doc(boolean(), "Sample memory, CPU and disk usage while running.", { default: true }),
    interval: doc(milliseconds(), "Sampling interval in milliseconds.", { default: 5_000 }),
    thresholds: withDefault(thresholds, {}),
    hysteresis: doc(
      ratio({ allowZero: true, allowOne: false }),
      "Leave the degraded state once usage falls below threshold minus this fraction.",
      { default: 0.05 },
    ),
  },
  "Live resource monitors.",
);

const resources = object(
  {
    cpu: withDefault(cpu, {}),
    memory: withDefault(memory, {}),
    pids: withDefault(pids, {}),
    storage: withDefault(storage, {}),
    network: withDefault(network, {}),
    fallback: doc(
      oneOf(["reject", "shed", "restart"]),
      "What the runtime does while a monitor reports exhaustion: reject new work, shed low-priority queued tasks, or restart in place (and, still exhausted after that restart, stop so the process exits 1 for its supervisor).",
      { default: "reject" },
    ),
    monitor: withDefault(monitor, {}),
  },
  "Resource limits (seed section 2).",
);

const healthcheck = object(
  {
    enabled: doc(boolean(), "Run the registered health checks periodically.", { default: true }),
    interval: doc(milliseconds(), "Milliseconds between health check rounds.", { default: 10_000 }),
    timeout: doc(milliseconds(), "Milliseconds each check may take before it counts as failed.", { default: 5_000 }),
  },
  "Periodic health checks.",
);

const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const lifecycle: ObjectField = {
  ...object(
    {
      startupTimeout: doc(milliseconds(), "Milliseconds start() may take before it fails.", {
        default: DEFAULT_STARTUP_TIMEOUT_MS,
      }),
      shutdownTimeout: doc(milliseconds(), "Milliseconds a graceful stop may take before it is forced.", {
        default: 10_000,
      }),
      terminationGracePeriod: doc(
        milliseconds(),
        "Milliseconds after SIGTERM before the supervisor SIGKILLs everything in the agent's instance; more than shutdownTimeout (default: shutdownTimeout + 2000).",
        opt,
      ),
      healthcheck: withDefault(healthcheck, {}),
      shutdownSignals: doc(
        array(
          oneOf(SHUTDOWN_SIGNALS),
          `a list of distinct signals from ${SHUTDOWN_SIGNALS.join(", ")}`,
          (list, report) => {
            if (new Set(list).size !== list.length) report({ value: list, message: "lists a signal twice" });
          },
        ),
        "Signals that trigger a graceful stop (a second one forces it).",
        { default: ["SIGINT", "SIGTERM"] },
      ),
      exitOnSignal: doc(boolean(), "Exit the process once a signal-triggered stop has finished.", { default: true }),
      signalExitCode: doc(
        boolean(),
        "Exit with 128 + the signal number after a signal-triggered stop (shell convention) instead of 0.",
        { default: false },
      ),
    },
    "Start, stop and health (seed: lifecycle).",
  ),
  check: (section: { terminationGracePeriod?: number; shutdownTimeout: number }, report: Report) => {
    if (section.terminationGracePeriod !== undefined && section.terminationGracePeriod <= section.shutdownTimeout) {
      report({
        path: ["terminationGracePeriod"],
        value: section.terminationGracePeriod,
        message: `terminationGracePeriod ${section.terminationGracePeriod} is not more than shutdownTimeout ${section.shutdownTimeout}: the agent would be killed before its own forced stop`,
        expected: `more than shutdownTimeout (${section.shutdownTimeout})`,
      });
    }
  },
};

const circuitBreaker = object(
  {
    enabled: doc(boolean(), "Wrap external calls in a circuit breaker.", { default: true }),
    threshold: doc(integer(1), "Consecutive failures that open the circuit.", { default: 5 }),
    timeout: doc(milliseconds(), "Milliseconds the circuit stays open before a half-open probe.", { default: 60_000 }),
    halfOpenProbes: doc(integer(1), "Successful probe calls in the half-open state that close the circuit again.", {
      default: 1,
    }),
  },
  "Circuit breaker for external dependencies.",
);

const errorHandling: ObjectField = {
  ...object(
    {
      maxRetries: doc(
        integer(1, 10),
        "Attempts in total, as the seed's retry loop counts them (3 \u2192 at most three calls).",
        { default: 3 },
      ),
      backoffStrategy: doc(oneOf(["exponential", "linear", "constant"]), "How the wait grows between attempts.", {
        default: "exponential",
      }),
      backoffMs: doc(milliseconds(0), "First wait between attempts, in milliseconds.", { default: 1_000 }),
      maxBackoffMs: doc(milliseconds(0), "Longest wait between attempts, in milliseconds.", { default: 30_000 }),
      jitter: doc(oneOf(["full", "decorrelated", "none"]), "Randomization of the waits.", { default: "full" }),
      circuitBreaker: withDefault(circuitBreaker, {}),
    },
    "Retries and circuit breaking (seed section 4).",
  ),
  check: (section: { backoffMs: number; maxBackoffMs: number }, report: Report) => {
    if (section.backoffMs > section.maxBackoffMs) {
      report({
        path: ["backoffMs"],
        value: section.backoffMs,
        message: `backoffMs ${section.backoffMs} is more than maxBackoffMs ${section.maxBackoffMs}`,
        expected: `at most maxBackoffMs (${section.maxBackoffMs})`,
      });
    }
  },
};

const audit: ObjectField = {
  ...object(
    {
      path: doc(
        string({ minLength: 1 }),
        "File the hash-chained audit log is appended to (lifecycle transitions, resource events, circuit changes); verify it with `aral audit verify`. Created with its directory at start; one that cannot be written fails the start.",
        opt,
      ),
      keyFile: doc(
        string({ minLength: 1 }),
        "File holding the HMAC key (at least 16 bytes): each record's hash is an HMAC-SHA-256 under it, so a re-chained forgery fails `aral audit verify --key-file`. Keep it out of reach of whoever can edit the log.",
        opt,
      ),
    },
    "The audit trail the runtime writes itself.",
  ),
  optional: true,
  check: (section: { path?: string; keyFile?: string }, report: Report) => {
    if (section.keyFile !== undefined && section.path === undefined)
      report({
        path: ["keyFile"],
        value: section.keyFile,
        message: "keyFile needs path: there is no audit log to sign",
        expected: "logging.audit.path set as well",
      });
  },
};

const logging = object(
  {
    level: doc(oneOf(["debug", "info", "warn", "error"]), "Lowest level written.", { default: "info" }),
    format: doc(oneOf(["json", "pretty"]), "JSON lines (pino-compatible) or human-readable lines.", {
      default: "json",
    }),
    audit,
  },
  "Structured logging.",
);

const health = object(
  {
    enabled: doc(boolean(), "Serve the health HTTP endpoints.", { default: false }),
    hostname: doc(string({ minLength: 1 }), "Interface the health endpoints listen on.", { default: "127.0.0.1" }),
    port: doc(integer(0, 65_535), "Port of the health endpoints; 0 picks a free one.", { default: 0 }),
    exposeDetails: doc(
      boolean(),
      "Serve each check's error message and detail on /health. Off: check names, status and durations only (messages can carry secrets).",
      { default: false },
    ),
  },
  "Health HTTP endpoints.",
);

const tasks = object(
  {
    concurrency: doc(integer(1), "Tasks running at the same time.", { default: 10 }),
    maxQueued: doc(integer(0), "Tasks waiting beyond those running; more overflow.", { default: 1_000 }),
    overflow: doc(oneOf(["reject", "wait"]), "On a full queue: reject the task, or make the producer wait.", {
      default: "reject",
    }),
    timeout: doc(milliseconds(), "Default per-task timeout in milliseconds, counted from the start of execution.", opt),
  },
  "The task queue.",
);

const tracing = object(
  {
    enabled: doc(
      boolean(),
      'Record a span per task, dependency call, health check and lifecycle transition (OpenTelemetry). Also on when OTEL_TRACES_EXPORTER is "otlp"; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.',
      { default: false },
    ),
    exporter: doc(
      oneOf(["otlp", "global"]),
      "otlp: the built-in OTLP/HTTP JSON exporter; global: the TracerProvider your OpenTelemetry SDK registered with @opentelemetry/api.",
      { default: "otlp" },
    ),
    endpoint: doc(
      string({ pattern: /^https?:\/\/\S+$/, patternMessage: "must be an http(s) URL", expected: "an http(s) URL" }),
      'OTLP/HTTP traces URL. Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces", else http://localhost:4318/v1/traces.',
      opt,
    ),
    sampleRatio: doc(
      ratio({ allowZero: true, allowOne: true }),
      "Fraction of traces exporter \"otlp\" records (OpenTelemetry's parentbased_traceidratio: decided from the trace id, so alike in every process; a span follows its parent's decision). Default: OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, else every trace.",
      opt,
    ),
  },
  "OpenTelemetry traces (needs the optional peer dependency @opentelemetry/api).",
);

const otelMetrics = object(
  {
    enabled: doc(
      boolean(),
      'Export the runtime\'s metric families to OpenTelemetry. Also on when OTEL_METRICS_EXPORTER is "otlp"; OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none turn it off.',
      { default: false },
    ),
    exporter: doc(
      oneOf(["otlp", "global"]),
      "otlp: the built-in OTLP/HTTP JSON exporter (needs no OpenTelemetry package); global: instruments on the MeterProvider your OpenTelemetry SDK registered with @opentelemetry/api (register it before start()).",
      { default: "otlp" },
    ),
    endpoint: doc(
      string({ pattern: /^https?:\/\/\S+$/, patternMessage: "must be an http(s) URL", expected: "an http(s) URL" }),
      'OTLP/HTTP metrics URL. Default: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/metrics", else http://localhost:4318/v1/metrics.',
      opt,
    ),
    interval: doc(
      milliseconds(),
      'Milliseconds between exports (one more is sent at stop) of exporter "otlp". Default: OTEL_METRIC_EXPORT_INTERVAL, else 60000.',
      opt,
    ),
  },
  "OpenTelemetry metrics: the families of /metrics pushed to an OTLP receiver or exposed as instruments of the global MeterProvider.",
);

const observability = object(
  {
    serviceName: doc(
      string({ minLength: 1 }),
      "The agent's name: the `agent` label on every metric and OpenTelemetry's service.name. Default: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else \"aral-agent\" (an empty variable is unset).",
      opt,
    ),
    tracing: withDefault(tracing, {}),
    metrics: withDefault(otelMetrics, {}),
  },
  "Metrics labels, OpenTelemetry tracing and OpenTelemetry metrics export.",
);

/** `layers.runtime`: also what `new AralRuntime(options)` takes directly. */
export const runtimeSchema: ObjectField = object(
  {
    platform: doc(oneOf(["node", "deno", "bun", "auto"]), 'Runtime the agent is meant for; "auto" accepts any.', {
      default: "auto",
    }),
    version: doc(
      string({
        pattern: /^\d+(\.\d+){0,2}$/,
        patternMessage: "must look like 20, 20.0 or 20.0.0",
        expected: 'a version such as "20", "20.0" or "20.0.0"',
      }),
      'Lowest version of that runtime the agent supports ("20.0.0").',
      opt,
    ),
    resources: withDefault(resources, {}),
    lifecycle: withDefault(lifecycle, {}),
    errorHandling: withDefault(errorHandling, {}),
    logging: withDefault(logging, {}),
    health: withDefault(health, {}),
    tasks: withDefault(tasks, {}),
    observability: withDefault(observability, {}),
  },
  "The runtime layer (L1).",
  "an object with the runtime options",
);

const aral = object(
  {
    version: doc(
      oneOf(
        SUPPORTED_MANIFEST_VERSIONS,
        `a supported version string: ${SUPPORTED_MANIFEST_VERSIONS.map((v) => JSON.stringify(v)).join(", ")} (quoted in YAML)`,
      ),
      "Manifest format version.",
    ),
    profile: doc(string({ minLength: 1 }), 'ARAL conformance profile, e.g. "ARAL-CORE".', opt),
  },
  "Manifest header.",
  `an object such as { "version": "1.0" }`,
);

export const manifestSchema: ObjectField = object(
  {
    $schema: doc(string(), "JSON Schema of this file, for editors.", opt),
    aral,
    layers: withDefault(
      object(
        { runtime: withDefault(runtimeSchema, {}) },
        "Configuration per ARAL layer; this SDK implements the runtime layer.",
      ),
      {},
    ),
  },
  "An ARAL agent manifest.",
  "an object (the manifest)",
);

/** CPU, memory, storage and bandwidth quantities are kept exactly as written: `"2Gi"`, `"500m"`, `1.5`. */
export type Quantity = string | number;
/** `"enabled"` / `"disabled"` or a boolean; validated to a boolean. */
export type Toggle = "enabled" | "disabled" | boolean;
type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

/** `layers.runtime` as written, also what `new AralRuntime(options)` accepts: every field may be left out. */
export interface RuntimeOptions {
  platform?: "node" | "deno" | "bun" | "auto" | undefined;
  version?: string | undefined;
  resources?:
    | {
        cpu?:
          | { limit?: Quantity | undefined; request?: Quantity | undefined; throttling?: Toggle | undefined }
          | undefined;
        memory?:
          | { limit?: Quantity | undefined; request?: Quantity | undefined; swap?: Toggle | undefined }
          | undefined;
        pids?: { limit?: number | undefined } | undefined;
        storage?:
          | {
              persistent?: string | undefined;
              ephemeral?: string | undefined;
              maxSize?: Quantity | undefined;
              cleanup?: { onStop?: boolean | undefined; maxAge?: number | undefined } | undefined;
            }
          | undefined;
        network?:
          | {
              bandwidth?: Quantity | undefined;
              connections?: number | undefined;
              timeout?: number | undefined;
              overflow?: "wait" | "reject" | undefined;
            }
          | undefined;
        fallback?: "reject" | "shed" | "restart" | undefined;
        monitor?:
          | {
              enabled?: boolean | undefined;
              interval?: number | undefined;
              thresholds?:
                | { memory?: number | undefined; cpu?: number | undefined; disk?: number | undefined }
                | undefined;
              hysteresis?: number | undefined;
            }
          | undefined;
      }
    | undefined;
  lifecycle?:
    | {
        startupTimeout?: number | undefined;
        shutdownTimeout?: number | undefined;
        terminationGracePeriod?: number | undefined;
        healthcheck?:
          | { enabled?: boolean | undefined; interval?: number | undefined; timeout?: number | undefined }
          | undefined;
        shutdownSignals?: ShutdownSignal[] | undefined;
        exitOnSignal?: boolean | undefined;
        signalExitCode?: boolean | undefined;
      }
    | undefined;
  errorHandling?:
    | {
        maxRetries?: number | undefined;
        backoffStrategy?: "exponential" | "linear" | "constant" | undefined;
        backoffMs?: number | undefined;
        maxBackoffMs?: number | undefined;
        jitter?: "full" | "decorrelated" | "none" | undefined;
        circuitBreaker?:
          | {
              enabled?: boolean | undefined;
              threshold?: number | undefined;
              timeout?: number | undefined;
              halfOpenProbes?: number | undefined;
            }
          | undefined;
      }
    | undefined;
  logging?:
    | {
        level?: "debug" | "info" | "warn" | "error" | undefined;
        format?: "json" | "pretty" | undefined;
        audit?: { path?: string | undefined; keyFile?: string | undefined } | undefined;
      }
    | undefined;
  health?:
    | {
        enabled?: boolean | undefined;
        hostname?: string | undefined;
        port?: number | undefined;
        exposeDetails?: boolean | undefined;
      }
    | undefined;
  observability?:
    | {
        serviceName?: string | undefined;
        tracing?:
          | {
              enabled?: boolean | undefined;
              exporter?: "otlp" | "global" | undefined;
              endpoint?: string | undefined;
              sampleRatio?: number | undefined;
            }
          | undefined;
        metrics?:
          | {
              enabled?: boolean | undefined;
              exporter?: "otlp" | "global" | undefined;
              endpoint?: string | undefined;
              interval?: number | undefined;
            }
          | undefined;
      }
    | undefined;
  tasks?:
    | {
        concurrency?: number | undefined;
        maxQueued?: number | undefined;
        overflow?: "reject" | "wait" | undefined;
        timeout?: number | undefined;
      }
    | undefined;
}

/** `layers.runtime` with every default filled in: switches are booleans, quantities stay as written. */
export interface RuntimeConfig {
  platform: "node" | "deno" | "bun" | "auto";
  version?: string | undefined;
  resources: {
    cpu: { limit?: Quantity | undefined; request?: Quantity | undefined; throttling: boolean };
    memory: { limit?: Quantity | undefined; request?: Quantity | undefined; swap: boolean };
    pids: { limit: number };
    storage: {
      persistent?: string | undefined;
      ephemeral?: string | undefined;
      maxSize?: Quantity | undefined;
      cleanup: { onStop: boolean; maxAge?: number | undefined };
    };
    network: {
      bandwidth?: Quantity | undefined;
      connections?: number | undefined;
      timeout: number;
      overflow: "wait" | "reject";
    };
    fallback: "reject" | "shed" | "restart";
    monitor: {
      enabled: boolean;
      interval: number;
      thresholds: { memory: number; cpu: number; disk: number };
      hysteresis: number;
    };
  };
  lifecycle: {
    startupTimeout: number;
    shutdownTimeout: number;
    terminationGracePeriod?: number | undefined;
    healthcheck: { enabled: boolean; interval: number; timeout: number };
    shutdownSignals: ShutdownSignal[];
    exitOnSignal: boolean;
    signalExitCode: boolean;
  };
  errorHandling: {
    maxRetries: number;
    backoffStrategy: "exponential" | "linear" | "constant";
    backoffMs: number;
    maxBackoffMs: number;
    jitter: "full" | "decorrelated" | "none";
    circuitBreaker: { enabled: boolean; threshold: number; timeout: number; halfOpenProbes: number };
  };
  logging: {
    level: "debug" | "info" | "warn" | "error";
    format: "json" | "pretty";
    audit?: { path?: string | undefined; keyFile?: string | undefined } | undefined;
  };
  health: { enabled: boolean; hostname: string; port: number; exposeDetails: boolean };
  observability: {
    serviceName?: string | undefined;
    tracing: {
      enabled: boolean;
      exporter: "otlp" | "global";
      endpoint?: string | undefined;
      sampleRatio?: number | undefined;
    };
    metrics: {
      enabled: boolean;
      exporter: "otlp" | "global";
      endpoint?: string | undefined;
      interval?: number | undefined;
    };
  };
  tasks: { concurrency: number; maxQueued: number; overflow: "reject" | "wait"; timeout?: number | undefined };
}

/** A manifest as written: every field with a default may be left out. */
export interface ManifestInput {
  $schema?: string | undefined;
  aral: { version: (typeof SUPPORTED_MANIFEST_VERSIONS)[number]; profile?: string | undefined };
  layers?: { runtime?: RuntimeOptions | undefined } | undefined;
}

/** A validated manifest: every default filled in, switches as booleans, quantities as written. */
export interface Manifest {
  $schema?: string | undefined;
  aral: { version: (typeof SUPPORTED_MANIFEST_VERSIONS)[number]; profile?: string | undefined };
  layers: { runtime: RuntimeConfig };
}
