// The registry's guards: families whose samples would clash, the per-family series limit, and bad arguments.
import { describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { MetricsError, MetricsRegistry } from "../../src/metrics/index.ts";
import { DEFAULT_SERIES_LIMIT } from "../../src/metrics/registry.ts";
import { promtoolCheck, promtoolMissing } from "./promtool.ts";

const expectMetricsError = (fn: () => unknown, message: RegExp) => {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MetricsError);
  expect((thrown as Error).message).toMatch(message);
};

describe("families whose samples clash", () => {
  it("a histogram's _count/_sum/_bucket cannot be another family, in either order, and the error names both", () => {
    const registry = new MetricsRegistry();
    registry.histogram("req_seconds", "Latency.", [0.1, 1]);
    expectMetricsError(() => registry.gauge("req_seconds_count", "G."), /req_seconds_count.*histogram req_seconds/);
    expectMetricsError(() => registry.counter("req_seconds_sum", "C."), /req_seconds_sum.*histogram req_seconds/);
    expectMetricsError(() => registry.gauge("req_seconds_bucket", "G."), /req_seconds_bucket.*histogram req_seconds/);
    const reversed = new MetricsRegistry();
    reversed.gauge("lat_seconds_bucket", "G.");
    expectMetricsError(
      () => reversed.histogram("lat_seconds", "H.", [1]),
      /lat_seconds \(histogram\).*gauge lat_seconds_bucket.*expose lat_seconds_bucket/,
    );
    // nothing was half-registered: the refused names stay free of the refused family
    expect(registry.get("req_seconds_count")).toBeUndefined();
    expect(reversed.get("lat_seconds")).toBeUndefined();
    expect(registry.render()).not.toContain("req_seconds_count{");
  });

  it("a counter x_total and a family x clash (OpenTelemetry names the counter x; OpenMetrics names family x's counter x_total)", () => {
    const registry = new MetricsRegistry();
    registry.counter("jobs_total", "C.");
    expectMetricsError(() => registry.gauge("jobs", "G."), /jobs \(gauge\).*counter jobs_total/);
    expectMetricsError(() => registry.counter("jobs", "C."), /counter jobs_total/);
    registry.counter("plain", "Counter without _total.");
    expectMetricsError(() => registry.gauge("plain_total", "G."), /counter plain/);
    // names that only look alike stay allowed
    registry.gauge("jobs_totals", "G.");
    registry.gauge("req_seconds_counts", "G.");
    registry.histogram("req_seconds", "H.", [1]);
    expect(registry.counter("jobs_total", "C.")).toBe(registry.get("jobs_total"));
  });

  it.skipIf(promtoolMissing !== undefined)(
    `is the combination promtool rejects${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ""}`,
    () => {
      // Two registries (each fine alone) rendered into one exposition: what one registry used to produce.
      const a = new MetricsRegistry();
      a.histogram("req_seconds", "Latency.", [1]).observe(0.5);
      const b = new MetricsRegistry();
      b.gauge("req_seconds_count", "A gauge.").set(1);
      // alone each parses (exit 1 is promtool's parse error; the gauge alone only draws a lint, exit 3)
      expect(promtoolCheck(a.render()).code).toBe(0);
      expect(promtoolCheck(b.render()).code).not.toBe(1);
      const together = promtoolCheck(a.render() + b.render());
      expect(together.code).toBe(1);
      expect(together.output).toContain('second HELP line for metric name "req_seconds"');
      expectMetricsError(() => a.gauge("req_seconds_count", "A gauge."), /req_seconds/);
    },
  );
});

describe("the per-family series limit", () => {
  it("defaults to 10,000 series per family", () => {
    expect(DEFAULT_SERIES_LIMIT).toBe(10_000);
    const registry = new MetricsRegistry({ onSeriesLimit: () => {} });
    expect(registry.seriesLimit).toBe(10_000);
    const c = registry.counter("calls_total", "C.", ["dependency"]);
    for (let i = 0; i < 10_050; i++) c.inc({ dependency: `https://api.example/users/${i}` });
    expect(c.seriesCount).toBe(10_000);
    expect(registry.render()).toContain('aral_metrics_series_dropped_total{family="calls_total"} 50\n');
  });

  it("drops writes to new label sets beyond it, counts them per family, warns once per family; held series keep updating", () => {
    const warnings: [string, number][] = [];
    const registry = new MetricsRegistry({ seriesLimit: 2, onSeriesLimit: (f, l) => warnings.push([f, l]) });
    const c = registry.counter("calls_total", "C.", ["dep"]);
    const g = registry.gauge("state", "G.", ["dep"]);
    const h = registry.histogram("dur_seconds", "H.", [1], ["dep"]);
    const observed: number[] = [];
    h.onObserve((v) => observed.push(v));
    for (const dep of ["a", "b", "c", "d"]) {
      c.inc({ dep });
      g.set(1, { dep });
      h.observe(0.5, { dep });
    }
    c.inc({ dep: "c" }, 5);
    c.inc({ dep: "a" }, 10); // held series: still counted
    g.inc(2, { dep: "b" });
    h.observe(2, { dep: "a" });
    expect(c.get({ dep: "a" })).toBe(11);
    expect(c.get({ dep: "c" })).toBe(0); // a read beyond the limit: 0, not recorded, not counted as a drop
    expect(g.get({ dep: "b" })).toBe(3);
    expect(h.get({ dep: "a" })).toEqual({ count: 2, sum: 2.5 });
    expect(h.get({ dep: "d" })).toEqual({ count: 0, sum: 0 });
    expect(observed).toEqual([0.5, 0.5, 2]); // a dropped observation reaches no listener either
    expect(warnings).toEqual([
      ["calls_total", 2],
      ["state", 2],
      ["dur_seconds", 2],
    ]);
    const text = registry.render();
    expect(text).not.toMatch(/dep="[cd]"/);
    expect(text).toContain('calls_total{dep="a"} 11\n');
    expect(text).toContain("# TYPE aral_metrics_series_dropped_total counter\n");
    expect(text).toContain('aral_metrics_series_dropped_total{family="calls_total"} 3\n');
    expect(text).toContain('aral_metrics_series_dropped_total{family="state"} 2\n');
    expect(text).toContain('aral_metrics_series_dropped_total{family="dur_seconds"} 2\n');
    if (promtoolMissing === undefined) expect(promtoolCheck(text)).toEqual({ code: 0, output: "" });
    // a reset family (the runtime's per-scrape gauges) starts over under the same limit
    g.reset();
    g.set(7, { dep: "c" });
    expect(g.get({ dep: "c" })).toBe(7);
    // raised at run time, every family follows
    registry.setSeriesLimit(3);
    c.inc({ dep: "c" });
    expect(c.get({ dep: "c" })).toBe(1);
    expect(warnings).toHaveLength(3);
  });

  it("an unlabelled family is one series whatever the limit; the limit is checked", () => {
    const registry = new MetricsRegistry({ seriesLimit: 1 });
    registry.gauge("one", "G.").set(3);
    registry.histogram("one_h", "H.", [1]).observe(1);
    expect(registry.render()).toContain("one 3\n");
    for (const bad of [0, -1, 1.5, Number.NaN, "10", Number.NEGATIVE_INFINITY])
      expectMetricsError(() => new MetricsRegistry({ seriesLimit: bad as never }), /seriesLimit/);
    expectMetricsError(() => registry.setSeriesLimit(0), /seriesLimit/);
    expectMetricsError(() => new MetricsRegistry({ onSeriesLimit: "warn" as never }), /onSeriesLimit/);
    expect(new MetricsRegistry({ seriesLimit: Number.POSITIVE_INFINITY }).seriesLimit).toBe(Number.POSITIVE_INFINITY);
  });

  it("bounds the runtime's /metrics: callDependency with a distinct name per call, warned once per family through the logger", async () => {
    const lines: string[] = [];
    const runtime = new AralRuntime(
      { logging: { level: "warn" } },
      { platform: createPlatform(), logSink: (line) => lines.push(line), handleSignals: false, env: {} },
    );
    await runtime.start();
    try {
      const calls = DEFAULT_SERIES_LIMIT + 500;
      for (let i = 0; i < calls; i++) await runtime.callDependency(`https://api.example/users/${i}`, async () => 1);
      const text = runtime.prometheusMetrics();
      const count = (name: string) => text.split("\n").filter((l) => l.startsWith(`${name}{`)).length;
      expect(count("aral_dependency_calls_total")).toBe(DEFAULT_SERIES_LIMIT);
      // the runtime keeps 1000 breakers (the least recently used closed ones are forgotten): 3 state series each
      expect(count("aral_circuit_breaker_state")).toBe(3 * 1000);
      expect(text).toMatch(
        /^aral_circuit_breaker_state\{.*dependency="https:\/\/api.example\/users\/10499",state="closed"\} 1$/m,
      );
      expect(text).not.toMatch(/^aral_circuit_breaker_state\{.*dependency="https:\/\/api.example\/users\/0"/m);
      expect(text).toMatch(/^aral_metrics_series_dropped_total\{[^}]*family="aral_dependency_calls_total"\} 500$/m);
      runtime.prometheusMetrics();
      const warned = lines.filter((l) => l.includes('"event":"metrics.series_limit"'));
      expect(warned.map((l) => JSON.parse(l).family)).toEqual(["aral_dependency_calls_total"]);
    } finally {
      await runtime.stop();
    }
  });
});

describe("bad arguments are MetricsErrors naming the problem", () => {
  it("label values: strings and numbers only (numbers are stringified, as Prometheus clients do)", () => {
    const registry = new MetricsRegistry();
    const c = registry.counter("c_total", "C.", ["v"]);
    c.inc({ v: 200 });
    c.inc({ v: 1.5 });
    expect(registry.render()).toContain('c_total{v="200"} 1\nc_total{v="1.5"} 1\n');
    for (const [value, shown] of [
      [null, /label "v" must be a string or a number, got null/],
      [{ a: 1 }, /label "v" must be a string or a number, got an object \{"a":1\}/],
      [[], /got an array/],
      [true, /got boolean true/],
      [Symbol("s"), /got symbol Symbol\(s\)/],
      [1n, /got bigint 1n/],
    ] as const) {
      expectMetricsError(() => c.inc({ v: value as never }), shown);
      expectMetricsError(() => registry.gauge("g", "G.", ["v"]).set(1, { v: value as never }), shown);
      expectMetricsError(() => registry.histogram("h", "H.", [1], ["v"]).observe(1, { v: value as never }), shown);
    }
    expect(registry.render()).not.toContain("[object Object]");
  });

  it("setConstantLabels takes an object of strings", () => {
    const registry = new MetricsRegistry();
    for (const bad of [null, undefined, "agent=a", ["a"]])
      expectMetricsError(() => registry.setConstantLabels(bad as never), /Constant labels must be an object/);
    expectMetricsError(() => registry.setConstantLabels({ agent: 1 as never }), /agent: value must be a string, got 1/);
  });

  it("histogram buckets: an array of increasing finite numbers, +Inf only last; checked again when the name exists", () => {
    const registry = new MetricsRegistry();
    registry.histogram("h_seconds", "H.", [1, 2]);
    expectMetricsError(
      () => registry.histogram("h_seconds", "H.", undefined as never),
      /buckets must be a non-empty array/,
    );
    expectMetricsError(() => registry.histogram("h_seconds", "H.", [2, 1]), /strictly increasing \(2 then 1\)/);
    expect(registry.histogram("h_seconds", "H.", [1, 2, Number.POSITIVE_INFINITY])).toBe(registry.get("h_seconds"));
    expectMetricsError(
      () => registry.histogram("inf_mid", "H.", [1, Number.POSITIVE_INFINITY, 2]),
      /bucket 1 is Infinity.*\+Inf only as the last/,
    );
    expectMetricsError(() => registry.histogram("sparse", "H.", new Array(3)), /bucket 0 is missing \(a hole/);
    const holey: number[] = [1];
    holey[2] = 3; // index 1 is a hole
    expectMetricsError(() => registry.histogram("holey", "H.", holey), /bucket 1 is missing/);
    expectMetricsError(() => registry.histogram("nan", "H.", [1, Number.NaN]), /bucket 1 is NaN/);
    expectMetricsError(
      () => registry.histogram("neg_inf", "H.", [Number.NEGATIVE_INFINITY, 1]),
      /bucket 0 is -Infinity/,
    );
    expectMetricsError(() => registry.histogram("str", "H.", ["1"] as never), /bucket 0 is "1"/);
    for (const name of ["inf_mid", "sparse", "holey", "nan", "neg_inf", "str"])
      expect(registry.get(name)).toBeUndefined();
  });
});
