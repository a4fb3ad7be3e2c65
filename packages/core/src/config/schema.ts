import { z } from "zod";
import { directory, integer, milliseconds, oneOf, quantity, quantityValue, ratio, toggle } from "./fields.ts";
import { expectations } from "./expectations.ts";

/**
 * The one schema of the agent manifest. TypeScript types, validation (with every default) and the
 * published JSON Schema (schema/manifest.schema.json) all come from it. The seed's fields come first in
 * each section; the fields the runtime needs beyond the seed are documented in config/README.md.
 */

/** Manifest format versions this SDK reads (`aral.version`). */
export const SUPPORTED_MANIFEST_VERSIONS = ["1.0"] as const;

function strict<T extends z.ZodRawShape>(shape: T, description: string) {
  const schema = z.strictObject(shape).describe(description);
  expectations.add(schema, { expected: "an object" });
  return schema;
}

function doc<T extends z.ZodType>(schema: T, description: string): T {
  const described = schema.describe(description) as T;
  const inherited = expectations.get(schema);
  if (inherited) expectations.add(described, inherited);
  return described;
}

function requestWithinLimit(kind: "cpu" | "bytes", section: { limit?: string | number | undefined; request?: string | number | undefined }, context: z.RefinementCtx) {
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
    context.addIssue({
      code: "custom",
      path: ["request"],
      input: section.request,
      message: `request ${JSON.stringify(section.request)} is more than limit ${JSON.stringify(section.limit)}`,
      params: { expected: `at most the limit (${JSON.stringify(section.limit)})` },
    });
  }
}

const cpu = strict(
  {
    limit: doc(quantity("cpu", { positive: true }), "Most CPU the agent may use, in cores (\"2000m\" = 2 cores).").optional(),
    request: doc(quantity("cpu"), "CPU guaranteed to the agent (reserved at start); at most `limit`.").optional(),
    throttling: doc(toggle(), "Throttle admission of new work while CPU use is over the limit.").prefault("disabled"),
  },
  "CPU limit and request.",
).superRefine((section, context) => requestWithinLimit("cpu", section, context));

const memory = strict(
  {
    limit: doc(quantity("bytes", { positive: true }), "Most memory the agent may use (\"2Gi\").").optional(),
    request: doc(quantity("bytes"), "Memory guaranteed to the agent (\"512Mi\"); at most `limit`.").optional(),
    swap: doc(toggle(), "Whether the supervised agent process may use swap.").prefault("disabled"),
  },
  "Memory limit and request.",
).superRefine((section, context) => requestWithinLimit("bytes", section, context));

const pids = strict(
  {
    limit: doc(integer(1), "Most tasks (processes and threads) the supervised agent and everything it spawns may have; kernel-enforced in its cgroup.").default(1_024),
  },
  "Process count limit (a fork bomb stops here).",
);

const storage = strict(
  {
    persistent: doc(directory(), "Root directory for data kept across runs (\"/data\").").optional(),
    ephemeral: doc(directory(), "Root directory for temporary files (\"/tmp\"), cleaned by the cleanup policy.").optional(),
    maxSize: doc(quantity("bytes"), "Most bytes the agent may write under its storage roots (\"10Gi\").").optional(),
    cleanup: strict(
      {
        onStop: doc(z.boolean(), "Remove the agent's ephemeral files when the runtime stops.").default(true),
        maxAge: doc(milliseconds(), "Remove ephemeral files older than this many milliseconds.").optional(),
      },
      "Cleanup policy for ephemeral files.",
    ).prefault({}),
  },
  "Storage roots and quota.",
);

const network = strict(
  {
    bandwidth: doc(quantity("bandwidth", { positive: true }), "Cap on request and response body throughput (\"100Mbps\").").optional(),
    connections: doc(integer(1), "Most concurrent outgoing connections.").optional(),
    timeout: doc(milliseconds(), "Default timeout of every outgoing request, in milliseconds.").default(30_000),
    overflow: doc(oneOf(["wait", "reject"] as const), "When every connection is busy: wait in order, or fail fast.").default("wait"),
  },
  "Outgoing network limits.",
);

const thresholds = strict(
  {
    memory: doc(ratio({ allowZero: false, allowOne: true }), "Degrade when memory use reaches this fraction of the memory limit.").default(0.9),
    cpu: doc(ratio({ allowZero: false, allowOne: true }), "Degrade when CPU use reaches this fraction of the CPU limit.").default(0.9),
    disk: doc(ratio({ allowZero: false, allowOne: true }), "Degrade when storage use reaches this fraction of maxSize (or of the disk).").default(0.9),
  },
  "Usage fractions that put the runtime into the degraded state.",
);

const monitor = strict(
  {
    enabled: doc(z.boolean(), "Sample memory, CPU and disk usage while running.").default(true),
    interval: doc(milliseconds(), "Sampling interval in milliseconds.").default(5_000),
    thresholds: thresholds.prefault({}),
    hysteresis: doc(ratio({ allowZero: true, allowOne: false }), "Leave the degraded state once usage falls below threshold minus this fraction.").default(0.05),
  },
  "Live resource monitors.",
);

const resources = strict(
  {
    cpu: cpu.prefault({}),
    memory: memory.prefault({}),
    pids: pids.prefault({}),
    storage: storage.prefault({}),
    network: network.prefault({}),
    fallback: doc(
      oneOf(["reject", "shed", "restart"] as const),
      "What the runtime does while a monitor reports exhaustion: reject new work, shed low-priority queued tasks, or request a restart.",
    ).default("reject"),
    monitor: monitor.prefault({}),
  },
  "Resource limits (seed section 2).",
);

const healthcheck = strict(
  {
    enabled: doc(z.boolean(), "Run the registered health checks periodically.").default(true),
    interval: doc(milliseconds(), "Milliseconds between health check rounds.").default(10_000),
    timeout: doc(milliseconds(), "Milliseconds each check may take before it counts as failed.").default(5_000),
  },
  "Periodic health checks.",
);

const shutdownSignal = oneOf(["SIGINT", "SIGTERM", "SIGHUP"] as const);

const lifecycle = strict(
  {
    startupTimeout: doc(milliseconds(), "Milliseconds start() may take before it fails.").default(30_000),
    shutdownTimeout: doc(milliseconds(), "Milliseconds a graceful stop may take before it is forced.").default(10_000),
    terminationGracePeriod: doc(
      milliseconds(),
      "Milliseconds after SIGTERM before the supervisor SIGKILLs everything in the agent's instance; more than shutdownTimeout (default: shutdownTimeout + 2000).",
    ).optional(),
    healthcheck: healthcheck.prefault({}),
    shutdownSignals: doc(
      z.array(shutdownSignal).refine((list) => new Set(list).size === list.length, { message: "lists a signal twice" }),
      "Signals that trigger a graceful stop (a second one forces it).",
    ).default(["SIGINT", "SIGTERM"]),
    exitOnSignal: doc(z.boolean(), "Exit the process once a signal-triggered stop has finished.").default(true),
    signalExitCode: doc(
      z.boolean(),
      "Exit with 128 + the signal number after a signal-triggered stop (shell convention) instead of 0.",
    ).default(false),
  },
  "Start, stop and health (seed: lifecycle).",
).superRefine((section, context) => {
  if (section.terminationGracePeriod !== undefined && section.terminationGracePeriod <= section.shutdownTimeout) {
    context.addIssue({
      code: "custom",
      path: ["terminationGracePeriod"],
      input: section.terminationGracePeriod,
      message: `terminationGracePeriod ${section.terminationGracePeriod} is not more than shutdownTimeout ${section.shutdownTimeout}: the agent would be killed before its own forced stop`,
      params: { expected: `more than shutdownTimeout (${section.shutdownTimeout})` },
    });
  }
});

const circuitBreaker = strict(
  {
    enabled: doc(z.boolean(), "Wrap external calls in a circuit breaker.").default(true),
    threshold: doc(integer(1), "Consecutive failures that open the circuit.").default(5),
    timeout: doc(milliseconds(), "Milliseconds the circuit stays open before a half-open probe.").default(60_000),
    halfOpenProbes: doc(integer(1), "Successful probe calls in the half-open state that close the circuit again.").default(1),
  },
  "Circuit breaker for external dependencies.",
);

const errorHandling = strict(
  {
    maxRetries: doc(integer(1, 10), "Attempts in total, as the seed's retry loop counts them (3 → at most three calls).").default(3),
    backoffStrategy: doc(oneOf(["exponential", "linear", "constant"] as const), "How the wait grows between attempts.").default("exponential"),
    backoffMs: doc(milliseconds(0), "First wait between attempts, in milliseconds.").default(1_000),
    maxBackoffMs: doc(milliseconds(0), "Longest wait between attempts, in milliseconds.").default(30_000),
    jitter: doc(oneOf(["full", "decorrelated", "none"] as const), "Randomization of the waits.").default("full"),
    circuitBreaker: circuitBreaker.prefault({}),
  },
  "Retries and circuit breaking (seed section 4).",
).superRefine((section, context) => {
  if (section.backoffMs > section.maxBackoffMs) {
    context.addIssue({
      code: "custom",
      path: ["backoffMs"],
      input: section.backoffMs,
      message: `backoffMs ${section.backoffMs} is more than maxBackoffMs ${section.maxBackoffMs}`,
      params: { expected: `at most maxBackoffMs (${section.maxBackoffMs})` },
    });
  }
});

const logging = strict(
  {
    level: doc(oneOf(["debug", "info", "warn", "error"] as const), "Lowest level written.").default("info"),
    format: doc(oneOf(["json", "pretty"] as const), "JSON lines (pino-compatible) or human-readable lines.").default("json"),
  },
  "Structured logging.",
);

const health = strict(
  {
    enabled: doc(z.boolean(), "Serve the health HTTP endpoints.").default(false),
    hostname: doc(z.string().min(1), "Interface the health endpoints listen on.").default("127.0.0.1"),
    port: doc(integer(0, 65_535), "Port of the health endpoints; 0 picks a free one.").default(0),
    exposeDetails: doc(z.boolean(), "Serve each check's error message and detail on /health. Off: check names, status and durations only (messages can carry secrets).").default(false),
  },
  "Health HTTP endpoints.",
);

const tasks = strict(
  {
    concurrency: doc(integer(1), "Tasks running at the same time.").default(10),
    maxQueued: doc(integer(0), "Tasks waiting beyond those running; more overflow.").default(1_000),
    overflow: doc(oneOf(["reject", "wait"] as const), "On a full queue: reject the task, or make the producer wait.").default("reject"),
    timeout: doc(milliseconds(), "Default per-task timeout in milliseconds, counted from the start of execution.").optional(),
  },
  "The task queue.",
);

const tracing = strict(
  {
    enabled: doc(
      z.boolean(),
      "Record a span per task, dependency call, health check and lifecycle transition (OpenTelemetry). Also on when OTEL_TRACES_EXPORTER is \"otlp\"; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.",
    ).default(false),
    exporter: doc(
      oneOf(["otlp", "global"] as const),
      "otlp: the built-in OTLP/HTTP JSON exporter; global: the TracerProvider your OpenTelemetry SDK registered with @opentelemetry/api.",
    ).default("otlp"),
    endpoint: doc(
      z.string().regex(/^https?:\/\/\S+$/, { message: "must be an http(s) URL" }),
      "OTLP/HTTP traces URL. Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + \"/v1/traces\", else http://localhost:4318/v1/traces.",
    ).optional(),
  },
  "OpenTelemetry traces (needs the optional peer dependency @opentelemetry/api).",
);

const observability = strict(
  {
    serviceName: doc(
      z.string().min(1),
      "The agent's name: the `agent` label on every metric and OpenTelemetry's service.name. Default: OTEL_SERVICE_NAME, else \"aral-agent\".",
    ).optional(),
    tracing: tracing.prefault({}),
  },
  "Metrics labels and OpenTelemetry tracing.",
);

/** `layers.runtime`: also what `new AralRuntime(options)` takes directly. */
export const runtimeSchema = strict(
  {
    platform: doc(oneOf(["node", "deno", "bun", "auto"] as const), "Runtime the agent is meant for; \"auto\" accepts any.").default("auto"),
    version: doc(
      z.string().regex(/^\d+(\.\d+){0,2}$/, { message: "must look like 20, 20.0 or 20.0.0" }),
      "Lowest version of that runtime the agent supports (\"20.0.0\").",
    ).optional(),
    resources: resources.prefault({}),
    lifecycle: lifecycle.prefault({}),
    errorHandling: errorHandling.prefault({}),
    logging: logging.prefault({}),
    health: health.prefault({}),
    tasks: tasks.prefault({}),
    observability: observability.prefault({}),
  },
  "The runtime layer (L1).",
);
expectations.add(runtimeSchema, { expected: "an object with the runtime options" });

const aral = strict(
  {
    version: doc(z.enum(SUPPORTED_MANIFEST_VERSIONS), "Manifest format version."),
    profile: doc(z.string().min(1), "ARAL conformance profile, e.g. \"ARAL-CORE\".").optional(),
  },
  "Manifest header.",
);
expectations.add(aral, { expected: `an object such as { "version": "1.0" }` });
expectations.add(aral.shape.version, { expected: `a supported version string: ${SUPPORTED_MANIFEST_VERSIONS.map((v) => JSON.stringify(v)).join(", ")} (quoted in YAML)` });

export const manifestSchema = strict(
  {
    $schema: doc(z.string(), "JSON Schema of this file, for editors.").optional(),
    aral,
    layers: strict({ runtime: runtimeSchema.prefault({}) }, "Configuration per ARAL layer; this SDK implements the runtime layer.").prefault({}),
  },
  "An ARAL agent manifest.",
);
expectations.add(manifestSchema, { expected: "an object (the manifest)" });

/** A manifest as written: every field with a default may be left out. */
export type ManifestInput = z.input<typeof manifestSchema>;
/** A validated manifest: every default filled in, switches as booleans, quantities as written. */
export type Manifest = z.output<typeof manifestSchema>;
/** `layers.runtime` as written, also what `new AralRuntime(options)` accepts. */
export type RuntimeOptions = z.input<typeof runtimeSchema>;
/** `layers.runtime` with every default filled in. */
export type RuntimeConfig = z.output<typeof runtimeSchema>;
