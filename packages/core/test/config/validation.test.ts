import { describe, expect, it } from "vitest";
import { ConfigError, validateManifest, validateRuntimeOptions, type ConfigIssue } from "../../src/config/index.ts";

function issuesOf(run: () => unknown): ConfigIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe("ConfigError");
    expect((error as ConfigError).code).toBe("invalid");
    return [...(error as ConfigError).issues];
  }
  throw new Error("expected a ConfigError, nothing was thrown");
}

const manifest = (runtime: unknown) => ({ aral: { version: "1.0" }, layers: { runtime } });
const runtimeIssues = (runtime: unknown) => issuesOf(() => validateManifest(manifest(runtime)));

describe("validation names the path, the value and what was expected", () => {
  it("unknown keys at every level, with a suggestion", () => {
    const issues = runtimeIssues({ resources: { cpu: { limt: "1" } }, lifecycle: { gracePeriod: 5 } });
    expect(issues).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.cpu.limt",
        value: "1",
        expected: "one of the known keys: limit, request, throttling",
        message: expect.stringContaining('did you mean "limit"'),
      }),
      expect.objectContaining({
        path: "layers.runtime.lifecycle.gracePeriod",
        value: 5,
        expected: expect.stringContaining("startupTimeout"),
      }),
    ]);
    const root = issuesOf(() => validateManifest({ aral: { version: "1.0" }, resources: {} }));
    expect(root).toEqual([
      expect.objectContaining({ path: "resources", message: expect.stringContaining("layers.runtime.resources") }),
    ]);
  });

  it("Infinity and NaN: 'must be a finite number', not 'must be a number, not number'", () => {
    const issues = runtimeIssues({ lifecycle: { shutdownTimeout: Infinity }, health: { port: Number.NaN } });
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/must be a finite number, not Infinity|must be a finite number/),
      expect.stringMatching(/finite number/),
    ]);
    expect(issues.map((i) => i.message).join(" ")).not.toContain("not number");
  });

  it("wrong types", () => {
    expect(runtimeIssues({ lifecycle: { startupTimeout: "30s" }, health: { enabled: "yes" } })).toEqual([
      {
        path: "layers.runtime.lifecycle.startupTimeout",
        value: "30s",
        expected: expect.stringContaining("whole number of milliseconds"),
        message: "must be a number, not string",
      },
      {
        path: "layers.runtime.health.enabled",
        value: "yes",
        expected: "a boolean",
        message: "must be a boolean, not string",
      },
    ]);
    expect(runtimeIssues({ resources: { cpu: { throttling: "on" } } })).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.cpu.throttling",
        value: "on",
        expected: '"enabled", "disabled", true or false',
      }),
    ]);
    expect(runtimeIssues({ resources: { memory: { limit: true } } })).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.memory.limit",
        value: true,
        expected: expect.stringContaining("byte quantity"),
      }),
    ]);
    expect(runtimeIssues({ resources: [] })).toEqual([
      expect.objectContaining({ path: "layers.runtime.resources", value: [], expected: "an object" }),
    ]);
  });

  it("negative and non-integer timeouts", () => {
    const issues = runtimeIssues({
      lifecycle: { shutdownTimeout: -1, startupTimeout: 1.5, healthcheck: { timeout: 2 ** 31 } },
      resources: { network: { timeout: 0 } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "layers.runtime.lifecycle.shutdownTimeout",
          value: -1,
          message: "must be at least 1",
        }),
        expect.objectContaining({
          path: "layers.runtime.lifecycle.startupTimeout",
          value: 1.5,
          message: "must be a whole number",
        }),
        expect.objectContaining({
          path: "layers.runtime.lifecycle.healthcheck.timeout",
          value: 2 ** 31,
          message: "must be at most 2147483647",
        }),
        expect.objectContaining({ path: "layers.runtime.resources.network.timeout", value: 0 }),
      ]),
    );
    expect(issues).toHaveLength(4);
    for (const issue of issues) expect(issue.expected).toMatch(/whole number of milliseconds from 1 to 2147483647/);
  });

  it("maxRetries outside 1–10", () => {
    for (const value of [0, 11, 2.5, -3]) {
      expect(runtimeIssues({ errorHandling: { maxRetries: value } })).toEqual([
        expect.objectContaining({
          path: "layers.runtime.errorHandling.maxRetries",
          value,
          expected: "an integer from 1 to 10",
        }),
      ]);
    }
    for (const value of [1, 10])
      expect(
        validateManifest(manifest({ errorHandling: { maxRetries: value } })).layers.runtime.errorHandling.maxRetries,
      ).toBe(value);
  });

  it("malformed quantities: 2GB, -1Gi, empty, 0 where a limit must be positive", () => {
    expect(runtimeIssues({ resources: { memory: { limit: "2GB" } } })).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.memory.limit",
        value: "2GB",
        expected: expect.stringContaining('"512Mi"'),
        message: expect.stringContaining("invalid quantity"),
      }),
    ]);
    expect(runtimeIssues({ resources: { memory: { request: "-1Gi" } } })).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.memory.request",
        value: "-1Gi",
        message: "invalid quantity: must not be negative",
      }),
    ]);
    expect(
      runtimeIssues({ resources: { cpu: { limit: "" }, network: { bandwidth: "100MB" } } }).map((issue) => [
        issue.path,
        issue.value,
      ]),
    ).toEqual([
      ["layers.runtime.resources.cpu.limit", ""],
      ["layers.runtime.resources.network.bandwidth", "100MB"],
    ]);
    expect(runtimeIssues({ resources: { cpu: { limit: 0 } } })).toEqual([
      expect.objectContaining({ path: "layers.runtime.resources.cpu.limit", value: 0, message: "must be more than 0" }),
    ]);
  });

  it("request above limit, for cpu and memory", () => {
    expect(
      runtimeIssues({ resources: { cpu: { limit: "500m", request: 1 }, memory: { limit: "1Gi", request: "1025Mi" } } }),
    ).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.cpu.request",
        value: 1,
        expected: 'at most the limit ("500m")',
      }),
      expect.objectContaining({
        path: "layers.runtime.resources.memory.request",
        value: "1025Mi",
        expected: 'at most the limit ("1Gi")',
      }),
    ]);
    expect(
      validateManifest(manifest({ resources: { memory: { limit: "1Gi", request: "1024Mi" } } })).layers.runtime
        .resources.memory.request,
    ).toBe("1024Mi");
  });

  it("backoffMs above maxBackoffMs", () => {
    expect(runtimeIssues({ errorHandling: { backoffMs: 5000, maxBackoffMs: 1000 } })).toEqual([
      expect.objectContaining({
        path: "layers.runtime.errorHandling.backoffMs",
        value: 5000,
        expected: "at most maxBackoffMs (1000)",
      }),
    ]);
  });

  it('non-object roots are reported at the root path ""', () => {
    for (const value of [null, 42, "manifest", [], true, undefined]) {
      expect(issuesOf(() => validateManifest(value))).toEqual([
        expect.objectContaining({ path: "", value, expected: "an object (the manifest)" }),
      ]);
    }
    expect(issuesOf(() => validateRuntimeOptions(7))).toEqual([expect.objectContaining({ path: "", value: 7 })]);
  });

  it("aral.version must be a supported version string; aral is required", () => {
    for (const version of ["2.0", 1, "1", 1.0]) {
      expect(issuesOf(() => validateManifest({ aral: { version } }))).toEqual([
        expect.objectContaining({ path: "aral.version", value: version, expected: expect.stringContaining('"1.0"') }),
      ]);
    }
    expect(issuesOf(() => validateManifest({ layers: {} }))).toEqual([
      expect.objectContaining({ path: "aral", value: undefined, message: "is required" }),
    ]);
    expect(issuesOf(() => validateManifest({ aral: {} }))).toEqual([
      expect.objectContaining({ path: "aral.version", message: "is required" }),
    ]);
  });

  it("enums and ranges beyond the seed", () => {
    const issues = runtimeIssues({
      platform: "python",
      errorHandling: { backoffStrategy: "fibonacci", jitter: "some" },
      lifecycle: { shutdownSignals: ["SIGINT", "SIGKILL", "SIGINT"] },
      health: { port: 70000 },
      resources: { fallback: "panic", monitor: { thresholds: { memory: 1.5 } } },
      tasks: { concurrency: 0, overflow: "drop" },
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      [
        "layers.runtime.platform",
        "layers.runtime.errorHandling.backoffStrategy",
        "layers.runtime.errorHandling.jitter",
        "layers.runtime.lifecycle.shutdownSignals[1]",
        "layers.runtime.health.port",
        "layers.runtime.resources.fallback",
        "layers.runtime.resources.monitor.thresholds.memory",
        "layers.runtime.tasks.concurrency",
        "layers.runtime.tasks.overflow",
      ].sort(),
    );
    expect(issues.find((issue) => issue.path === "layers.runtime.platform")).toMatchObject({
      value: "python",
      expected: 'one of "node", "deno", "bun", "auto"',
    });
    expect(issues.find((issue) => issue.path.endsWith("shutdownSignals[1]"))).toMatchObject({ value: "SIGKILL" });
  });

  it("observability.tracing.sampleRatio is a fraction from 0 to 1, both ends included", () => {
    const tracing = (sampleRatio: unknown) => ({ observability: { tracing: { enabled: true, sampleRatio } } });
    for (const bad of [1.5, -0.1, "0.5"]) {
      const issues = runtimeIssues(tracing(bad));
      expect(issues.map((issue) => issue.path)).toEqual(["layers.runtime.observability.tracing.sampleRatio"]);
      expect(issues[0]).toMatchObject({ value: bad });
    }
    for (const good of [0, 0.25, 1]) expect(() => validateManifest(manifest(tracing(good)))).not.toThrow();
  });

  it("the message lists every issue", () => {
    try {
      validateManifest(
        manifest({ errorHandling: { maxRetries: 0 }, lifecycle: { shutdownTimeout: -5 } }),
        "agent.jsonc",
      );
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("agent.jsonc");
      expect(message).toContain("2 problems");
      expect(message).toContain(
        "layers.runtime.errorHandling.maxRetries: must be at least 1 (got 0, expected an integer from 1 to 10)",
      );
      expect(message).toContain("layers.runtime.lifecycle.shutdownTimeout: must be at least 1 (got -5,");
      expect((error as ConfigError).source).toBe("agent.jsonc");
    }
  });

  it("__proto__, constructor and prototype keys are rejected as unknown and pollute nothing", () => {
    const hostile = JSON.parse(
      '{"aral":{"version":"1.0"},"__proto__":{"polluted":1},"layers":{"runtime":{"__proto__":{"resources":{"memory":{"limit":"1"}}},"constructor":{"prototype":{"polluted":2}}}}}',
    );
    const issues = issuesOf(() => validateManifest(hostile));
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ["__proto__", "layers.runtime.__proto__", "layers.runtime.constructor"].sort(),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    // a "__proto__" that became a real prototype (object literal syntax) must not smuggle fields in either
    const sneaky = {
      aral: { version: "1.0" },
      layers: { runtime: Object.create({ resources: { memory: { limit: "2GB" } } }) },
    };
    expect(issuesOf(() => validateManifest(sneaky))).toEqual([
      expect.objectContaining({ path: "layers.runtime", message: "is an Object" }),
    ]);
  });

  it("non-plain objects and cycles are issues, not crashes", () => {
    const cyclic: Record<string, unknown> = { aral: { version: "1.0" } };
    cyclic.layers = { runtime: { resources: cyclic } };
    expect(issuesOf(() => validateManifest(cyclic))).toEqual([
      expect.objectContaining({ path: "layers.runtime.resources", message: expect.stringContaining("circular") }),
    ]);
    expect(issuesOf(() => validateManifest(manifest({ resources: new Date(0) })))).toEqual([
      expect.objectContaining({ path: "layers.runtime.resources", message: "is a Date" }),
    ]);
    expect(issuesOf(() => validateManifest(manifest({ resources: new Map() })))).toEqual([
      expect.objectContaining({ path: "layers.runtime.resources", message: "is a Map" }),
    ]);
  });

  it("a validated manifest validates again to itself (the output is valid input)", () => {
    const once = validateManifest(manifest({ resources: { cpu: { limit: "2", throttling: "enabled" } } }));
    expect(validateManifest(once)).toEqual(once);
    expect(validateManifest({ ...once, $schema: "./schema.json" }).$schema).toBe("./schema.json");
  });
});

describe("messages read as English", () => {
  it("an empty string is 'must not be empty'; a ratio says 'at least 0 and at most 1'", () => {
    const issues = (value: unknown) => {
      try {
        validateRuntimeOptions(value);
      } catch (error) {
        return (error as ConfigError).issues;
      }
      throw new Error("expected a ConfigError");
    };
    expect(issues({ health: { hostname: "" } })[0]).toMatchObject({ message: "must not be empty" });
    expect(issues({ observability: { tracing: { sampleRatio: 2 } } })[0]).toMatchObject({
      expected: "a number at least 0 and at most 1",
    });
  });
});
