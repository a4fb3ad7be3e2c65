import { context, ROOT_CONTEXT, trace, INVALID_SPAN_CONTEXT } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createSampler } from "../../src/tracing/sampler.ts";
import { DEFAULT_SAMPLER, resolveSampler, type SamplerSetting } from "../../src/tracing/sampler-setting.ts";
import { ExportingTracer } from "../../src/tracing/tracer.ts";
import type { SpanRecord } from "../../src/tracing/otlp-json.ts";

const randomTraceId = () => {
  let id = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(16))) id += byte.toString(16).padStart(2, "0");
  return id;
};
const ids = Array.from({ length: 10_000 }, randomTraceId);
const kept = (setting: SamplerSetting) => {
  const sample = createSampler(setting);
  return new Set(ids.filter((id) => sample(id, undefined)));
};

describe("resolveSampler: the manifest's sampleRatio, else OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG", () => {
  it("defaults to parentbased_always_on, as the specification says", () => {
    expect(resolveSampler(undefined, {})).toEqual({ setting: DEFAULT_SAMPLER });
    expect(DEFAULT_SAMPLER).toEqual({ name: "parentbased_always_on" });
  });

  it("reads each sampler the specification names (trimmed, any case) and its ratio", () => {
    for (const name of ["always_on", "always_off", "parentbased_always_on", "parentbased_always_off"])
      expect(resolveSampler(undefined, { OTEL_TRACES_SAMPLER: ` ${name.toUpperCase()} ` })).toEqual({
        setting: { name },
      });
    expect(resolveSampler(undefined, { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" })).toEqual({
      setting: { name: "traceidratio", ratio: 0.1 },
    });
    expect(resolveSampler(undefined, { OTEL_TRACES_SAMPLER: "parentbased_traceidratio" })).toEqual({
      setting: { name: "parentbased_traceidratio", ratio: 1 },
    });
  });

  it("the manifest's ratio wins over the variables", () => {
    expect(resolveSampler(0.05, { OTEL_TRACES_SAMPLER: "always_on" })).toEqual({
      setting: { name: "parentbased_traceidratio", ratio: 0.05 },
    });
  });

  it("an unknown sampler or a ratio that is not 0..1 falls back and is named in a warning", () => {
    const unknown = resolveSampler(undefined, { OTEL_TRACES_SAMPLER: "jaeger_remote" });
    expect(unknown.setting).toEqual(DEFAULT_SAMPLER);
    expect(unknown.warning).toMatch(/OTEL_TRACES_SAMPLER="jaeger_remote" is not a sampler .*parentbased_always_on/);
    for (const arg of ["1.5", "-0.1", "half", "NaN", "Infinity"]) {
      const bad = resolveSampler(undefined, { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: arg });
      expect(bad.setting).toEqual({ name: "traceidratio", ratio: 1 });
      expect(bad.warning).toContain(`OTEL_TRACES_SAMPLER_ARG="${arg}" is not a number from 0 to 1`);
    }
  });
});

describe("createSampler", () => {
  it("always_on and always_off ignore the parent", () => {
    expect(createSampler({ name: "always_on" })("0".repeat(32), { traceFlags: 0 })).toBe(true);
    expect(createSampler({ name: "always_off" })("f".repeat(32), { traceFlags: 1 })).toBe(false);
  });

  it("traceidratio keeps a trace when its id's low 56 bits are at least (1 - ratio) x 2^56", () => {
    const half = createSampler({ name: "traceidratio", ratio: 0.5 });
    expect(half(`${"0".repeat(18)}80000000000000`, undefined)).toBe(true);
    expect(half(`${"f".repeat(18)}7fffffffffffff`, undefined)).toBe(false);
    expect(half(`${"0".repeat(18)}80000000000000`.toUpperCase(), undefined)).toBe(true);
    // a ratio too small for any 56-bit value keeps nothing; 0 and 1 are exact
    expect(createSampler({ name: "traceidratio", ratio: 1e-30 })("f".repeat(32), undefined)).toBe(false);
    expect(createSampler({ name: "traceidratio", ratio: 0 })("f".repeat(32), undefined)).toBe(false);
    expect(createSampler({ name: "traceidratio", ratio: 1 })("0".repeat(32), undefined)).toBe(true);
  });

  it("keeps about the ratio of random traces, and what a lower ratio keeps a higher one keeps too", () => {
    const quarter = kept({ name: "traceidratio", ratio: 0.25 });
    // Binomial(10,000, 0.25): standard deviation 0.0043; 0.2..0.3 is more than 11 of them.
    expect(quarter.size / ids.length).toBeGreaterThan(0.2);
    expect(quarter.size / ids.length).toBeLessThan(0.3);
    const tenth = kept({ name: "traceidratio", ratio: 0.1 });
    expect(tenth.size).toBeGreaterThan(0);
    for (const id of tenth) expect(quarter.has(id)).toBe(true);
  });

  it("parent-based samplers follow a parent's decision and use the root sampler only without one", () => {
    for (const root of ["parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const) {
      const sample = createSampler({ name: root, ratio: 0.5 });
      expect(sample("0".repeat(32), { traceFlags: 1 })).toBe(true);
      expect(sample("f".repeat(32), { traceFlags: 0 })).toBe(false);
    }
    expect(createSampler({ name: "parentbased_always_on" })("0".repeat(32), undefined)).toBe(true);
    expect(createSampler({ name: "parentbased_always_off" })("f".repeat(32), undefined)).toBe(false);
    expect(kept({ name: "parentbased_traceidratio", ratio: 0.25 })).toEqual(
      kept({ name: "traceidratio", ratio: 0.25 }),
    );
  });
});

describe("ExportingTracer with a sampler", () => {
  const api = { trace, context };

  it("a dropped span is the API's non-recording span: it carries its trace on, unsampled, and never reaches the sink", () => {
    const records: SpanRecord[] = [];
    const tracer = new ExportingTracer(
      api,
      (record) => records.push(record),
      createSampler({ name: "parentbased_always_off" }),
    );
    const root = tracer.startSpan("root", {}, ROOT_CONTEXT);
    expect(root.isRecording()).toBe(false);
    expect(root.spanContext()).toMatchObject({ traceFlags: 0 });
    expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    const child = tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, root));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    child.setAttribute("k", "v");
    child.end();
    root.end();
    expect(records).toEqual([]);
  });

  it("a kept span's children are kept and exported under it; a sampled remote parent is followed", () => {
    const records: SpanRecord[] = [];
    const tracer = new ExportingTracer(
      api,
      (record) => records.push(record),
      createSampler({ name: "parentbased_always_off" }),
    );
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      isRemote: true,
    });
    const span = tracer.startSpan("from upstream", {}, remote);
    expect(span.isRecording()).toBe(true);
    tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, span)).end();
    span.end();
    expect(records.map((r) => [r.name, r.traceId, r.parentSpanId])).toEqual([
      ["child", "4bf92f3577b34da6a3ce929d0e0e4736", span.spanContext().spanId],
      ["from upstream", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"],
    ]);
  });

  it("an invalid parent context (all-zero ids) is no parent: the span starts its own trace", () => {
    const records: SpanRecord[] = [];
    const tracer = new ExportingTracer(api, (record) => records.push(record), createSampler(DEFAULT_SAMPLER));
    const span = tracer.startSpan("root", {}, trace.setSpanContext(ROOT_CONTEXT, INVALID_SPAN_CONTEXT));
    span.end();
    expect(records).toHaveLength(1);
    expect(records[0]!.traceId).not.toBe(INVALID_SPAN_CONTEXT.traceId);
    expect(records[0]!.parentSpanId).toBeUndefined();
  });
});
