// Trace sampling on real runtimes: an agent (fixtures/sampled-agent.ts) on Node, Deno and Bun, told by the standard
// OTEL_TRACES_SAMPLER variables to keep a quarter of its traces, sends its spans to an OTLP receiver on 127.0.0.1.
// What arrives is exactly the traces the specification's TraceIdRatioBased rule keeps, and whole: a kept task's
// dependency call is there under it, a dropped task's is not.
import { describe, expect, it } from "vitest";
import { agentRuntimes, runFixture, otlpReceiver } from "./observe-helpers.ts";

const FIXTURE = "test/fixtures/sampled-agent.ts";
const TASKS = 200;
const RATIO = 0.25;
/** (1 - 0.25) x 2^56 as 14 hex digits: a trace is kept when its id's low 56 bits are at least this. */
const THRESHOLD = "c0000000000000";

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

const run = (runtime: string, env: Record<string, string>) => runFixture(runtime, FIXTURE, env);

describe.each(Object.keys(agentRuntimes))("trace sampling on %s", (runtime) => {
  const spec = agentRuntimes[runtime]!;
  it.skipIf(spec.exec === undefined)(
    `OTEL_TRACES_SAMPLER=parentbased_traceidratio keeps the traces whose ids pass ${RATIO}, each whole${spec.missing ? ` (skipped: ${spec.missing})` : ""}`,
    { timeout: 120_000 },
    async () => {
      const receiver = await otlpReceiver();
      try {
        const { code, output } = await run(runtime, {
          OTEL_TRACES_EXPORTER: "otlp",
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
          OTEL_TRACES_SAMPLER_ARG: String(RATIO),
        });
        expect(code, output).toBe(0);
        const spans: ReceivedSpan[] = receiver.requests
          .filter((r) => r.path === "/v1/traces")
          .flatMap((r) =>
            r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans as ReceivedSpan[])),
          );
        // Every span that arrived belongs to a trace the rule keeps; a root decides, its children follow.
        for (const span of spans) expect(span.traceId.slice(-14) >= THRESHOLD, span.traceId).toBe(true);
        const tasks = spans.filter((s) => s.name === "aral.task");
        const calls = spans.filter((s) => s.name === "aral.dependency");
        // Binomial(200, 0.25): mean 50, standard deviation 6.1; 15..95 is more than 5.7 deviations either way.
        expect(tasks.length).toBeGreaterThanOrEqual(15);
        expect(tasks.length).toBeLessThanOrEqual(95);
        // Whole traces: one dependency call under each kept task, none from a dropped one.
        expect(calls.length).toBe(tasks.length);
        for (const call of calls) {
          const parent = tasks.find((t) => t.spanId === call.parentSpanId);
          expect(parent, "a kept dependency call's task was kept too").toBeDefined();
          expect(call.traceId).toBe(parent!.traceId);
        }
      } finally {
        await receiver.close();
      }
    },
  );

  it.skipIf(spec.exec === undefined)(
    `an unknown OTEL_TRACES_SAMPLER is named in a warning and every trace is kept (the specification's default)${spec.missing ? ` (skipped: ${spec.missing})` : ""}`,
    { timeout: 120_000 },
    async () => {
      const receiver = await otlpReceiver();
      try {
        const { code, output } = await run(runtime, {
          OTEL_TRACES_EXPORTER: "otlp",
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_TRACES_SAMPLER: "jaeger_remote",
        });
        expect(code, output).toBe(0);
        const warning = output
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line))
          .find((record) => record.event === "tracing.sampler");
        expect(warning, output).toMatchObject({ level: 40 }); // pino's warn
        expect(warning.msg).toContain('OTEL_TRACES_SAMPLER="jaeger_remote"');
        const names = receiver.requests
          .filter((r) => r.path === "/v1/traces")
          .flatMap((r) => r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)))
          .map((span: ReceivedSpan) => span.name);
        expect(names.filter((name: string) => name === "aral.task")).toHaveLength(TASKS);
      } finally {
        await receiver.close();
      }
    },
  );
});
