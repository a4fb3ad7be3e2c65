// Observability on real runtimes: the observed agent (fixtures/observed-agent.ts) runs on Node, Deno and Bun;
// the test scrapes its live /metrics while it is loaded and after, checks every family a dashboard needs and
// runs promtool on each scrape.
import { describe, expect, it } from "vitest";
import {
  agentRuntimes,
  control,
  documentedFamilies,
  exposedFamilies,
  otlpReceiver,
  parseExposition,
  promtool,
  startAgent,
  total,
  type RunningAgent,
} from "./observe-helpers.ts";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  events: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[];
  status: { code: number; message?: string };
}

/** The metrics of one ExportMetricsServiceRequest by name (one resource, one scope: what the runtime sends). */
function otlpMetrics(body: any): Map<string, any> {
  expect(body.resourceMetrics).toHaveLength(1);
  expect(body.resourceMetrics[0].scopeMetrics[0].scope.name).toBe("@aral/core");
  return new Map(body.resourceMetrics[0].scopeMetrics[0].metrics.map((m: { name: string }) => [m.name, m]));
}

/** Polls `condition` every 50 ms until it holds; fails naming `what` after 30 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function attribute(span: { attributes: { key: string; value: Record<string, unknown> }[] }, key: string): unknown {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  if ("intValue" in value) return Number(value["intValue"]);
  return Object.values(value)[0];
}

async function scrape(agent: RunningAgent): Promise<{ text: string; samples: ReturnType<typeof parseExposition> }> {
  const response = await fetch(agent.urls.metrics);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await response.text();
  const check = promtool(text);
  if (!check) throw new Error("promtool is missing: apt-get install -y --no-install-recommends prometheus");
  expect({ code: check.code, output: check.output }).toEqual({ code: 0, output: "" }); // 3 would be a lint warning
  return { text, samples: parseExposition(text) };
}

describe.each(Object.keys(agentRuntimes))("observability on %s", (runtime) => {
  const spec = agentRuntimes[runtime]!;
  it.skipIf(spec.missing !== undefined)(
    `/metrics is promtool-clean and every family follows a loaded agent; spans and metrics reach an OTLP receiver${spec.missing ? ` (skipped: ${spec.missing})` : ""}`,
    { timeout: 120_000 },
    async () => {
      const receiver = await otlpReceiver();
      const agent = await startAgent(runtime, {
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test",
        OTEL_METRICS_EXPORTER: "otlp",
        OTEL_METRIC_EXPORT_INTERVAL: "300",
      });
      try {
        // Loaded: 20 tasks held behind a gate with concurrency 2 → 2 running, 18 queued.
        const loaded = await scrape(agent);
        const s1 = loaded.samples;
        expect(total(s1, "aral_tasks_running")).toBe(2);
        expect(total(s1, "aral_tasks_queued")).toBe(18);
        for (const priority of ["high", "normal", "low"])
          expect(
            total(s1, "aral_tasks_queued", { priority }) + total(s1, "aral_tasks_running", { priority }),
          ).toBeGreaterThan(0);
        expect(total(s1, "aral_tasks_accepted_total")).toBe(20);
        expect(total(s1, "aral_task_duration_seconds_count")).toBe(0);
        expect(total(s1, "aral_resource_memory_allocated_bytes")).toBe(64 * 2 ** 20);
        expect(total(s1, "aral_resource_memory_limit_bytes")).toBe(512 * 2 ** 20);
        expect(total(s1, "aral_resource_leases")).toBe(1);
        // Every sample carries the agent's name and instance id.
        for (const sample of s1)
          expect(sample.labels).toMatchObject({
            agent: "observed-agent",
            instance_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          });
        expect(total(s1, "aral_runtime_info", { runtime })).toBe(1);
        const now = Date.now() / 1000;
        expect(total(s1, "process_start_time_seconds")).toBeGreaterThan(now - 600);
        expect(total(s1, "process_start_time_seconds")).toBeLessThan(now);
        expect(total(s1, "process_resident_memory_bytes")).toBeGreaterThan(10 * 2 ** 20);
        expect(total(s1, "process_cpu_seconds_total")).toBeGreaterThan(0);
        const cpuRatio = total(s1, "aral_cpu_usage_ratio");
        expect(cpuRatio).toBeGreaterThanOrEqual(0);
        expect(cpuRatio).toBeLessThan(1.5); // a share of the machine's cores, from the first sample on

        // OTLP metrics are pushed every OTEL_METRIC_EXPORT_INTERVAL while the agent runs, not only at stop.
        await until(() => receiver.requests.some((r) => r.path === "/v1/metrics"), "a periodic /v1/metrics export");
        const periodic = otlpMetrics(receiver.requests.find((r) => r.path === "/v1/metrics")!.body);
        expect(periodic.get("aral_tasks_accepted")!.sum.dataPoints[0].asDouble).toBe(20);

        // A dependency that keeps failing: its breaker opens after 3 failed attempts; the next call is rejected.
        const fail = await control<{ outcomes: string[]; state: string }>(agent, "/fail");
        expect(fail.state).toBe("open");
        const timeout = await control<{ outcome: string }>(agent, "/fetch-timeout");
        expect(timeout.outcome).toBe("NetworkTimeoutError");
        const released = await control<{ fulfilled: number }>(agent, "/release");
        expect(released.fulfilled).toBe(20);
        // A task that calls a dependency with its signal: the dependency's span is the task span's child.
        const nested = await control<{ value: string; attempts: number }>(agent, "/task-dependency");
        expect(nested).toEqual({ value: "steady", attempts: 2 });
        // The limited fetch counts response bytes as bodies are read: text() and a streamed body.
        // Request bytes: uncapped stream and FormData uploads count what the server received.
        const bytes = await control<{
          text: number;
          streamed: number;
          posted: number;
          streamedUp: number;
          formUp: number;
        }>(agent, "/fetch-bytes");
        expect(bytes).toMatchObject({ text: 2345, streamed: 2345, posted: 1345, streamedUp: 1500 });
        expect(bytes.formUp).toBeGreaterThan(3000);

        // Drained: the queue is empty, the histogram counted every finished task, the breaker's state followed.
        const afterScrape = await scrape(agent);
        const after = afterScrape.samples;
        // Docs tell the truth: every family served is in README "Observe it" with its type.
        const documented = documentedFamilies();
        for (const [family, type] of exposedFamilies(afterScrape.text)) {
          expect(documented.has(family), `${family} is not listed in README "Observe it"`).toBe(true);
          expect(documented.get(family), `README's type for ${family}`).toContain(type);
        }
        expect(total(after, "aral_tasks_running")).toBe(0);
        expect(total(after, "aral_tasks_queued")).toBe(0);
        expect(total(after, "aral_tasks_completed_total")).toBe(21);
        expect(total(after, "aral_tasks_finished_total")).toBe(21);
        expect(total(after, "aral_task_duration_seconds_count")).toBe(21);
        expect(total(after, "aral_task_duration_seconds_bucket", { le: "+Inf" })).toBe(21);
        expect(total(after, "aral_task_duration_seconds_sum")).toBeGreaterThan(0);
        expect(total(after, "aral_circuit_breaker_state", { dependency: "flaky", state: "open" })).toBe(1);
        expect(total(after, "aral_circuit_breaker_state", { dependency: "flaky", state: "closed" })).toBe(0);
        expect(total(after, "aral_circuit_breaker_transitions_total", { dependency: "flaky", to: "open" })).toBe(1);
        expect(total(after, "aral_retries_total", { context: "flaky" })).toBeGreaterThanOrEqual(1);
        expect(
          total(after, "aral_dependency_calls_total", { dependency: "flaky", outcome: "failure" }),
        ).toBeGreaterThanOrEqual(1);
        expect(
          total(after, "aral_dependency_calls_total", { dependency: "flaky", outcome: "rejected" }),
        ).toBeGreaterThanOrEqual(1);
        expect(total(after, "aral_fetch_timeouts_total")).toBe(1);
        expect(total(after, "aral_fetch_requests_total")).toBe(6);
        expect(total(after, "aral_fetch_response_bytes_total")).toBe(3 * 2345); // the timed-out one read nothing
        // the POST's 10 two-byte characters, the stream's 1,500 bytes and the FormData as the server received it
        expect(total(after, "aral_fetch_request_bytes_total")).toBe(20 + 1500 + bytes.formUp);
        expect(total(after, "aral_fetch_in_flight")).toBe(0);
        expect(total(after, "aral_health_check_up", { check: "runtime" })).toBe(1);
        expect(total(after, "aral_health_check_duration_seconds", { check: "runtime" })).toBeGreaterThanOrEqual(0);
        expect(total(after, "aral_memory_usage_ratio")).toBeGreaterThan(0);
        expect(total(after, "aral_degraded")).toBe(0);
        const lag = total(after, "aral_event_loop_lag_seconds");
        expect(lag).toBeGreaterThanOrEqual(0);
        expect(lag).toBeLessThan(5);
        expect(total(after, "aral_event_loop_lag_max_seconds")).toBeGreaterThanOrEqual(lag);
        expect(total(after, "aral_restarts_total")).toBe(0);

        const report = await control<{ tasks: Record<string, unknown> }>(agent, "/stop");
        expect(report.tasks).toEqual({
          accepted: 21,
          finished: 21,
          aborted: 0,
          returned: 0,
          drain: { finished: 0, aborted: 0, returned: 0 },
        });

        // Traces: stop() flushed every span to the receiver before answering.
        const traceRequests = receiver.requests.filter((r) => r.path === "/v1/traces");
        expect(traceRequests.length).toBeGreaterThan(0);
        for (const request of receiver.requests) {
          expect(["/v1/traces", "/v1/metrics"]).toContain(request.path);
          expect(request.contentType).toBe("application/json");
        }
        const resourceSpans = traceRequests.flatMap(
          (r) =>
            r.body.resourceSpans as {
              resource: OtlpSpan;
              scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
            }[],
        );
        for (const rs of resourceSpans) {
          expect(attribute(rs.resource, "service.name")).toBe("observed-agent");
          expect(attribute(rs.resource, "process.runtime.name")).toBe(runtime);
          expect(attribute(rs.resource, "deployment.environment")).toBe("test");
          expect(attribute(rs.resource, "service.instance.id")).toBe(s1[0]!.labels["instance_id"]);
        }
        const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
        for (const span of spans) {
          expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(
            BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano),
            `${span.name} ends before it starts`,
          ).toBe(true);
        }
        const named = (name: string) => spans.filter((span) => span.name === name);
        const tasks = named("aral.task");
        expect(tasks).toHaveLength(21);
        for (const task of tasks) {
          expect(attribute(task, "aral.task.outcome")).toBe("completed");
          expect(["high", "normal", "low"]).toContain(attribute(task, "aral.task.priority"));
          expect(task.events.map((e) => e.name)).toContain("aral.task.started");
        }
        const dependencies = named("aral.dependency").filter((d) => attribute(d, "aral.dependency.name") === "flaky");
        expect(dependencies).toHaveLength(3);
        for (const dependency of dependencies) {
          expect(attribute(dependency, "aral.dependency.name")).toBe("flaky");
          expect(dependency.kind).toBe(3); // CLIENT
          expect(dependency.status.code).toBe(2); // ERROR
        }
        const first = dependencies.find((d) => attribute(d, "aral.dependency.attempts") === 2)!;
        expect(first.events.map((e) => e.name)).toEqual([
          "aral.dependency.attempt",
          "aral.dependency.retry",
          "aral.dependency.attempt",
          "exception",
        ]);
        expect(attribute(first.events[0]!, "aral.circuit.state")).toBe("closed");
        expect(dependencies.map((d) => attribute(d, "aral.dependency.outcome"))).toContain("CircuitOpenError");
        // Called outside any task: a root span. Called inside a task with its signal: the task span's child.
        for (const dependency of dependencies) expect(dependency.parentSpanId ?? "").toBe("");
        const wobbly = named("aral.dependency").filter((d) => attribute(d, "aral.dependency.name") === "wobbly");
        expect(wobbly).toHaveLength(1);
        const parentTask = tasks.find((t) => t.spanId === wobbly[0]!.parentSpanId);
        expect(parentTask, "the dependency span's parent is the task that made the call").toBeDefined();
        expect(wobbly[0]!.traceId).toBe(parentTask!.traceId);
        expect(wobbly[0]!.events.map((e) => e.name)).toEqual([
          "aral.dependency.attempt",
          "aral.dependency.retry",
          "aral.dependency.attempt",
        ]);
        expect(attribute(wobbly[0]!, "aral.dependency.outcome")).toBe("success");
        const rounds = named("aral.health.run");
        const checks = named("aral.health.check");
        expect(rounds.length).toBeGreaterThan(0);
        expect(checks.length).toBeGreaterThan(0);
        for (const check of checks) {
          const round = rounds.find((r) => r.spanId === check.parentSpanId);
          expect(round, "a health check span's parent is its round").toBeDefined();
          expect(check.traceId).toBe(round!.traceId);
          expect(attribute(check, "aral.health.check.name")).toBe("runtime");
          expect(typeof attribute(check, "aral.health.check.ok")).toBe("boolean");
        }
        // The "runtime" check fails in a round that overlaps the stop (it passes while starting or running only).
        expect(checks.some((check) => attribute(check, "aral.health.check.ok") === true)).toBe(true);
        expect(named("aral.lifecycle.starting").map((s) => attribute(s, "aral.lifecycle.to"))).toEqual(["running"]);
        expect(named("aral.lifecycle.stopping").map((s) => attribute(s, "aral.lifecycle.to"))).toEqual(["stopped"]);
        expect(attribute(named("aral.lifecycle.stopping")[0]!, "aral.tasks.finished")).toBe(21);

        // Metrics: the export stop() sent last carries the final counts, in OTLP's types.
        const metricRequests = receiver.requests.filter((r) => r.path === "/v1/metrics");
        const lastMetrics = metricRequests.at(-1)!.body;
        const resource = lastMetrics.resourceMetrics[0].resource;
        expect(attribute(resource, "service.name")).toBe("observed-agent");
        expect(attribute(resource, "service.instance.id")).toBe(s1[0]!.labels["instance_id"]);
        expect(attribute(resource, "process.runtime.name")).toBe(runtime);
        const final = otlpMetrics(lastMetrics);
        const completed = final.get("aral_tasks_completed")!;
        expect(completed.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
        expect(completed.sum.dataPoints[0].asDouble).toBe(21);
        expect(BigInt(completed.sum.dataPoints[0].startTimeUnixNano)).toBeLessThan(
          BigInt(completed.sum.dataPoints[0].timeUnixNano),
        );
        expect(final.get("aral_fetch_response_bytes")!.sum.dataPoints[0].asDouble).toBe(3 * 2345);
        expect(final.get("aral_fetch_response_bytes")!.unit).toBe("By");
        const queued = final.get("aral_tasks_queued")!;
        expect(queued.gauge.dataPoints.length).toBeGreaterThanOrEqual(4);
        for (const point of queued.gauge.dataPoints) {
          expect(point.asDouble).toBe(0);
          expect(point.attributes.map((a: { key: string }) => a.key)).toEqual(["priority"]);
        }
        const duration = final.get("aral_task_duration_seconds")!;
        expect(duration.unit).toBe("s");
        expect(duration.histogram.aggregationTemporality).toBe(2);
        const [point] = duration.histogram.dataPoints;
        expect(point.count).toBe("21");
        expect(point.explicitBounds).toEqual([
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
        ]);
        expect(point.bucketCounts).toHaveLength(point.explicitBounds.length + 1);
        expect(point.bucketCounts.reduce((sum: number, c: string) => sum + Number(c), 0)).toBe(21);
        expect(point.sum).toBeGreaterThan(0);
        expect(final.get("aral_circuit_breaker_transitions")!.sum.dataPoints).toContainEqual(
          expect.objectContaining({
            asDouble: 1,
            attributes: expect.arrayContaining([{ key: "dependency", value: { stringValue: "flaky" } }]),
          }),
        );
        expect(final.get("process_cpu_seconds")!.sum.dataPoints[0].asDouble).toBeGreaterThan(0);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent.output().slice(-4000)}`, {
          cause: error,
        });
      } finally {
        await agent.kill();
        await receiver.close();
      }
    },
  );
});
