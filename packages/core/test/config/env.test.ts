import { describe, expect, it } from "vitest";
import {
  ConfigError,
  ENV_OVERRIDES,
  RESERVED_ENV_VARIABLES,
  applyEnvOverrides,
  resolveRuntimeConfig,
  validateManifest,
  type ConfigIssue,
} from "../../src/config/index.ts";
import { join, readFile } from "./fs-platform.ts";
import { fileURLToPath } from "node:url";

const base = { aral: { version: "1.0" as const }, layers: { runtime: { resources: { memory: { limit: "512Mi" } } } } };

function issuesOf(run: () => unknown): ConfigIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

describe("ARAL_* environment overrides", () => {
  it("override manifest fields, coerced by the field's type", () => {
    const manifest = applyEnvOverrides(validateManifest(base), {
      ARAL_RESOURCES_MEMORY_LIMIT: "1Gi",
      ARAL_LIFECYCLE_SHUTDOWN_TIMEOUT: "5000",
      ARAL_LOG_LEVEL: "debug",
      ARAL_RESOURCES_CPU_THROTTLING: "enabled",
      ARAL_HEALTH_ENABLED: "true",
      ARAL_HEALTH_PORT: "8080",
      ARAL_RESOURCES_CPU_LIMIT: "2",
      ARAL_LIFECYCLE_SHUTDOWN_SIGNALS: "SIGTERM, SIGHUP",
      ARAL_PROFILE: "ARAL-CORE",
      ARAL_PLATFORM_VERSION: "22.1.0",
      PATH: "/usr/bin",
    });
    const runtime = manifest.layers.runtime;
    expect(runtime.resources.memory.limit).toBe("1Gi");
    expect(runtime.lifecycle.shutdownTimeout).toBe(5000);
    expect(runtime.logging.level).toBe("debug");
    expect(runtime.resources.cpu).toEqual({ limit: "2", throttling: true });
    expect(runtime.health).toMatchObject({ enabled: true, port: 8080 });
    expect(runtime.lifecycle.shutdownSignals).toEqual(["SIGTERM", "SIGHUP"]);
    expect(manifest.aral.profile).toBe("ARAL-CORE");
    expect(runtime.version).toBe("22.1.0");
  });

  it("apply to bare runtime options and to nothing at all", () => {
    expect(
      resolveRuntimeConfig({ resources: { memory: { limit: "100Mi" } } }, { ARAL_RESOURCES_MEMORY_LIMIT: "200Mi" })
        .resources.memory.limit,
    ).toBe("200Mi");
    expect(
      resolveRuntimeConfig(undefined, { ARAL_ERROR_HANDLING_MAX_RETRIES: "5", ARAL_TASKS_OVERFLOW: "wait" })
        .errorHandling.maxRetries,
    ).toBe(5);
    // aral.profile only exists in a manifest: ignored for bare options
    expect(resolveRuntimeConfig({}, { ARAL_PROFILE: "ARAL-CORE" })).toEqual(resolveRuntimeConfig());
  });

  it("a bad value is a ConfigError naming the field path and the variable", () => {
    expect(issuesOf(() => resolveRuntimeConfig(base, { ARAL_ERROR_HANDLING_MAX_RETRIES: "11" }))).toEqual([
      expect.objectContaining({
        path: "layers.runtime.errorHandling.maxRetries",
        value: 11,
        variable: "ARAL_ERROR_HANDLING_MAX_RETRIES",
        expected: "an integer from 1 to 10",
      }),
    ]);
    expect(issuesOf(() => resolveRuntimeConfig({}, { ARAL_LIFECYCLE_STARTUP_TIMEOUT: "30s" }))).toEqual([
      expect.objectContaining({
        path: "lifecycle.startupTimeout",
        value: "30s",
        variable: "ARAL_LIFECYCLE_STARTUP_TIMEOUT",
      }),
    ]);
    expect(issuesOf(() => resolveRuntimeConfig(base, { ARAL_RESOURCES_MEMORY_REQUEST: "1Gi" }))).toEqual([
      expect.objectContaining({
        path: "layers.runtime.resources.memory.request",
        value: "1Gi",
        variable: "ARAL_RESOURCES_MEMORY_REQUEST",
        expected: 'at most the limit ("512Mi")',
      }),
    ]);
    expect(issuesOf(() => resolveRuntimeConfig({}, { ARAL_HEALTH_ENABLED: "maybe" }))[0]).toMatchObject({
      path: "health.enabled",
      value: "maybe",
    });
    const message = (() => {
      try {
        resolveRuntimeConfig(base, { ARAL_RESOURCES_CPU_LIMIT: "2GB" });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain("[from ARAL_RESOURCES_CPU_LIMIT]");
  });

  it("an unknown variable that looks like a field is an error naming it; reserved and unrelated ones are left alone", () => {
    expect(issuesOf(() => resolveRuntimeConfig({}, { ARAL_RESOURCE_MEMORY_LIMIT: "1Gi" }))).toEqual([
      expect.objectContaining({
        variable: "ARAL_RESOURCE_MEMORY_LIMIT",
        value: "1Gi",
        message: expect.stringContaining("did you mean ARAL_RESOURCES_MEMORY_LIMIT"),
      }),
    ]);
    expect(issuesOf(() => resolveRuntimeConfig({}, { ARAL_TASKS_PRIORITY: "1" }))[0]).toMatchObject({
      variable: "ARAL_TASKS_PRIORITY",
    });
    expect(issuesOf(() => resolveRuntimeConfig({}, { ARAL_VERSION: "1.0" }))[0]).toMatchObject({
      variable: "ARAL_VERSION",
    });
    const reserved = Object.fromEntries(RESERVED_ENV_VARIABLES.map((name) => [name, "x"]));
    expect(
      resolveRuntimeConfig({}, { ...reserved, ARAL_CONFORMANCE_CASE: "1", ARAL_MY_AGENT_SETTING: "1", ARAL_: "" }),
    ).toEqual(resolveRuntimeConfig());
    expect(resolveRuntimeConfig({}, { ARAL_TASKS_PRIORITY: "1" }, { reserved: ["ARAL_TASKS_PRIORITY"] })).toEqual(
      resolveRuntimeConfig(),
    );
  });

  it("empty values count as unset; an alias and its field must agree", () => {
    expect(resolveRuntimeConfig({}, { ARAL_LOG_LEVEL: "" }).logging.level).toBe("info");
    expect(resolveRuntimeConfig({}, { ARAL_LOG_LEVEL: "warn", ARAL_LOGGING_LEVEL: "warn" }).logging.level).toBe("warn");
    expect(
      issuesOf(() => resolveRuntimeConfig({}, { ARAL_LOG_LEVEL: "warn", ARAL_LOGGING_LEVEL: "error" }))[0],
    ).toMatchObject({ path: "logging.level" });
  });

  it("every field variable is documented in config/README.md", async () => {
    const readme = await readFile(
      join(fileURLToPath(new URL("../../src/config/", import.meta.url)), "README.md"),
      "utf8",
    );
    for (const { variable } of ENV_OVERRIDES) expect(readme, variable).toContain(`\`${variable}\``);
    for (const variable of RESERVED_ENV_VARIABLES) expect(readme, variable).toContain(`\`${variable}\``);
  });
});
