import type { Context, Span, Tracer } from "@opentelemetry/api";
import type { OpenTelemetryApi } from "../opentelemetry-api.ts";
import type { HealthRound } from "../health/monitor.ts";
import type { RetryEvent } from "../resilience/retry.ts";
import type { TaskFunction, TaskOptions } from "../tasks/types.ts";
import { OtlpHttpExporter } from "./otlp-exporter.ts";
import { createSampler } from "./sampler.ts";
import type { TracingSettings } from "./settings.ts";
import { ExportingTracerProvider, type OtelApi } from "./tracer.ts";

const ERROR = 2; // SpanStatusCode.ERROR
const SCOPE = { name: "@aral/core", version: "0.1.0" };
const FLUSH_DEADLINE_MS = 4_500;

/** One traced dependency call: retries and breaker states become events, the outcome its status. */
export interface DependencyTrace {
  attempt(attempt: number, breakerState: string | undefined): void;
  retry(event: RetryEvent): void;
  end(error?: unknown): void;
}

/** A span that covers one lifecycle phase; `context` parents spans started inside it (restart -> stop, start). */
export interface PhaseTrace {
  readonly context: Context;
  end(error?: unknown, attributes?: Record<string, string | number | boolean>): void;
}

/**
 * The runtime's spans: one per task, per callDependency (retry attempts and breaker state as events), per health
 * check (children of their round) and per lifecycle phase. Created only when tracing is configured - the runtime
 * holds `undefined` otherwise, so an agent without OpenTelemetry pays one property check per task.
 */
export class RuntimeTracing {
  readonly #api: OtelApi;
  readonly #tracer: Tracer;
  readonly #exporter: OtlpHttpExporter | undefined;
  /**
   * Each running task's context, keyed by the signal the task function was handed: what `callDependency(..., { signal })`
   * inside the task uses as its parent (explicit, so it needs no async context manager on any runtime).
   */
  readonly #taskContexts = new WeakMap<AbortSignal, Context>();

  constructor(api: OtelApi, tracer: Tracer, exporter: OtlpHttpExporter | undefined) {
    this.#api = api;
    this.#tracer = tracer;
    this.#exporter = exporter;
  }

  /** A span from submission to settlement; the function runs with that span active (an SDK's context manager nests what it does). */
  task<T>(
    fn: TaskFunction<T>,
    options: TaskOptions | undefined,
  ): { fn: TaskFunction<T>; settled(result: Promise<T>): void } {
    const parent = this.#api.context.active();
    const span = this.#tracer.startSpan("aral.task", { attributes: taskAttributes(options) }, parent);
    const active = this.#api.trace.setSpan(parent, span);
    return {
      fn: (signal) => {
        span.addEvent("aral.task.started");
        this.#taskContexts.set(signal, active);
        return this.#api.context.with(active, fn, undefined, signal);
      },
      settled: (result) => {
        result.then(
          () => {
            span.setAttribute("aral.task.outcome", "completed");
            span.end();
          },
          (error: unknown) => fail(span, error, "aral.task.outcome"),
        );
      },
    };
  }

  /** `signal`: the task's, when the call is made inside a task; its span is then the parent. */
  dependency(name: string, signal?: AbortSignal): DependencyTrace {
    const span = this.#tracer.startSpan(
      "aral.dependency",
      { kind: 2 /* CLIENT */, attributes: { "aral.dependency.name": name } },
      (signal && this.#taskContexts.get(signal)) ?? this.#api.context.active(),
    );
    let attempts = 0;
    return {
      attempt: (attempt, breakerState) => {
        attempts = attempt;
        span.addEvent(
          "aral.dependency.attempt",
          breakerState === undefined ? { attempt } : { attempt, "aral.circuit.state": breakerState },
        );
      },
      retry: (event) => {
        span.addEvent("aral.dependency.retry", {
          attempt: event.attempt,
          "aral.retry.delay_ms": Math.round(event.delayMs),
          "exception.message": messageOf(event.error),
        });
      },
      end: (error) => {
        span.setAttribute("aral.dependency.attempts", attempts);
        if (error === undefined) {
          span.setAttribute("aral.dependency.outcome", "success");
          span.end();
        } else fail(span, error, "aral.dependency.outcome");
      },
    };
  }

  /** A health round after the fact: the round's span, each check a child with its own timing. */
  healthRound(round: HealthRound): void {
    const parent = this.#tracer.startSpan(
      "aral.health.run",
      { startTime: round.startedAt, attributes: { "aral.health.checks": round.checks.length } },
      this.#rootContext(),
    );
    const context = this.#api.trace.setSpan(this.#rootContext(), parent);
    let failed = 0;
    for (const check of round.checks) {
      const span = this.#tracer.startSpan(
        "aral.health.check",
        {
          startTime: check.startedAt,
          attributes: {
            "aral.health.check.name": check.name,
            "aral.health.check.kind": check.kind,
            "aral.health.check.ok": check.ok,
          },
        },
        context,
      );
      if (!check.ok) {
        failed++;
        span.setStatus({ code: ERROR, message: check.error ?? "failed" });
      }
      span.end(check.startedAt + check.durationMs);
    }
    if (failed) parent.setStatus({ code: ERROR, message: `${failed} check(s) failed` });
    parent.end(round.endedAt);
  }

  /** A lifecycle phase ("starting", "stopping", "restarting") as a span, under `parent` when given. */
  phase(
    name: string,
    startTime: number,
    attributes: Record<string, string | number | boolean>,
    parent?: PhaseTrace,
  ): PhaseTrace {
    const base = parent?.context ?? this.#rootContext();
    const span = this.#tracer.startSpan(`aral.lifecycle.${name}`, { startTime, attributes }, base);
    return {
      context: this.#api.trace.setSpan(base, span),
      end: (error, more) => {
        if (more) span.setAttributes(more);
        if (error === undefined) span.end();
        else fail(span, error);
      },
    };
  }

  /**
   * Sends what has ended so far (the built-in exporter), for at most 4.5 s: inside the runtime's 5 s bound, so what
   * it has to drop is counted and logged before the stop goes on. A global provider's SDK flushes on its own.
   */
  flush(): Promise<void> {
    return this.#exporter?.flush(FLUSH_DEADLINE_MS) ?? Promise.resolve();
  }

  #rootContext(): Context {
    return this.#api.context.active();
  }
}

/**
 * Builds the tracer on the API the runtime loaded (only on a start that asks for traces): the built-in OTLP/HTTP JSON
 * exporter, or the TracerProvider an SDK registered globally.
 */
export function createRuntimeTracing(
  api: OpenTelemetryApi,
  settings: TracingSettings,
  deps: { fetch: (input: string, init: RequestInit) => Promise<Response>; onExportError: (error: Error) => void },
): RuntimeTracing {
  if (settings.exporter === "global")
    return new RuntimeTracing(api, api.trace.getTracer(SCOPE.name, SCOPE.version), undefined);
  const exporter = new OtlpHttpExporter({
    endpoint: settings.endpoint,
    headers: settings.headers,
    timeoutMs: settings.timeoutMs,
    resource: settings.resource,
    scope: SCOPE,
    fetch: deps.fetch,
    onError: deps.onExportError,
  });
  const provider = new ExportingTracerProvider(
    api,
    (record) => exporter.export(record),
    createSampler(settings.sampler),
  );
  return new RuntimeTracing(api, provider.getTracer(), exporter);
}

function taskAttributes(options: TaskOptions | undefined): Record<string, string | number> {
  const attributes: Record<string, string | number> = {};
  if (options?.id !== undefined) attributes["aral.task.id"] = options.id;
  if (options?.priority !== undefined) attributes["aral.task.priority"] = options.priority;
  return attributes;
}

function fail(span: Span, error: unknown, outcomeKey?: string): void {
  const name = error instanceof Error ? error.name : "Error";
  if (outcomeKey) span.setAttribute(outcomeKey, name);
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: ERROR, message: messageOf(error) });
  span.end();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
