import { describe, expect, it } from "vitest";
import { MetricsError, MetricsRegistry } from "../../src/metrics/index.ts";
import { promtoolCheck, promtoolMissing } from "./promtool.ts";

describe("MetricsRegistry rendering", () => {
  it("renders HELP/TYPE lines, labels and values", () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter("http_requests_total", "HTTP requests.", ["method", "code"]);
    requests.inc({ method: "GET", code: 200 });
    requests.inc({ method: "GET", code: 200 }, 2);
    requests.inc({ method: "POST", code: 500 });
    const temp = registry.gauge("queue_depth", "Jobs waiting.");
    temp.set(7);
    temp.dec(2);
    expect(registry.render()).toBe(
      [
        "# HELP http_requests_total HTTP requests.",
        "# TYPE http_requests_total counter",
        'http_requests_total{method="GET",code="200"} 3',
        'http_requests_total{method="POST",code="500"} 1',
        "# HELP queue_depth Jobs waiting.",
        "# TYPE queue_depth gauge",
        "queue_depth 5",
        "",
      ].join("\n"),
    );
  });

  it("renders histograms with cumulative le buckets, +Inf, _sum and _count", () => {
    const registry = new MetricsRegistry();
    const latency = registry.histogram("request_duration_seconds", "Latency.", [0.1, 0.5, 1], ["route"]);
    for (const v of [0.05, 0.1, 0.3, 0.7, 2]) latency.observe(v, { route: "/a" });
    expect(registry.render()).toBe(
      [
        "# HELP request_duration_seconds Latency.",
        "# TYPE request_duration_seconds histogram",
        'request_duration_seconds_bucket{route="/a",le="0.1"} 2',
        'request_duration_seconds_bucket{route="/a",le="0.5"} 3',
        'request_duration_seconds_bucket{route="/a",le="1"} 4',
        'request_duration_seconds_bucket{route="/a",le="+Inf"} 5',
        'request_duration_seconds_sum{route="/a"} 3.15',
        'request_duration_seconds_count{route="/a"} 5',
        "",
      ].join("\n"),
    );
    expect(latency.get({ route: "/a" })).toEqual({ count: 5, sum: 3.15 });
  });

  it("escapes label values and help text; formats special numbers", () => {
    const registry = new MetricsRegistry();
    registry
      .gauge("odd_values", 'Help with \\ backslash\nand newline and "quotes".', ["path"])
      .set(Number.POSITIVE_INFINITY, { path: 'C:\\dir\n"x"' });
    registry
      .gauge("odd_values", 'Help with \\ backslash\nand newline and "quotes".', ["path"])
      .set(Number.NEGATIVE_INFINITY, { path: "b" });
    const text = registry.render();
    expect(text).toContain('# HELP odd_values Help with \\\\ backslash\\nand newline and "quotes".\n');
    expect(text).toContain('odd_values{path="C:\\\\dir\\n\\"x\\""} +Inf\n');
    expect(text).toContain('odd_values{path="b"} -Inf\n');
  });

  it("validates names, labels and values with MetricsError", () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter("1bad", "x")).toThrow(MetricsError);
    expect(() => registry.counter("has-dash", "x")).toThrow('Invalid metric name "has-dash"');
    expect(() => registry.gauge("ok_name", "x", ["__reserved"])).toThrow(/invalid label name "__reserved"/);
    expect(() => registry.gauge("ok_name2", "x", ["a", "a"])).toThrow(/duplicate label name "a"/);
    expect(() => registry.histogram("h", "x", [1], ["le"])).toThrow(/"le" is reserved/);
    expect(() => registry.histogram("h2", "x", [1, 1])).toThrow(/strictly increasing/);
    expect(() => registry.histogram("h3", "x", [])).toThrow(/non-empty/);
    const c = registry.counter("c_total", "x", ["kind"]);
    expect(() => c.inc({ kind: "a" }, -1)).toThrow(/cannot decrease/);
    expect(() => c.inc({ other: "a" })).toThrow(/unknown label "other"/);
    expect(() => c.inc()).toThrow(/missing value for label "kind"/);
    expect(() => registry.gauge("c_total", "x")).toThrow(/already registered as a counter/);
    expect(registry.counter("c_total", "x", ["kind"])).toBe(c);
    expect(() => registry.gauge("g", "x").set(Number.NaN)).toThrow(/must be a number/);
  });

  it("runs collectors before rendering", () => {
    const registry = new MetricsRegistry();
    let n = 0;
    const g = registry.gauge("collected", "x");
    const off = registry.onCollect(() => g.set(++n));
    expect(registry.render()).toContain("collected 1\n");
    expect(registry.render()).toContain("collected 2\n");
    off();
    expect(registry.render()).toContain("collected 2\n");
  });
});

describe.skipIf(promtoolMissing !== undefined)(
  `promtool check metrics${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ""}`,
  () => {
    it("accepts everything the registry renders, escapes included", () => {
      const registry = new MetricsRegistry();
      registry
        .counter("aral_demo_requests_total", 'Requests with "quotes", \\ and\nnewline.', ["route"])
        .inc({ route: 'a"b\\c\nd' }, 5);
      registry.gauge("aral_demo_temperature_celsius", "A gauge.").set(-3.5);
      registry.gauge("aral_demo_labelled_bytes", "Declared labels, no series yet.", ["x"]);
      const h = registry.histogram("aral_demo_duration_seconds", "A histogram.", [0.005, 0.1, 1, 10]);
      for (const v of [0.001, 0.05, 3, 100]) h.observe(v);
      const result = promtoolCheck(registry.render());
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    });

    it("is a real check: promtool rejects malformed text and lints a counter without _total", () => {
      expect(promtoolCheck("bad metric line{\n").code).toBe(1);
      const registry = new MetricsRegistry();
      registry.counter("aral_demo_requests", "No _total suffix.").inc();
      const lint = promtoolCheck(registry.render());
      expect(lint.code).toBe(3);
      expect(lint.output).toContain("_total");
    });
  },
);
