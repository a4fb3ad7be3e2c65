import { describe, expect, it } from "vitest";
import {
  manifestPathFromEnvironment,
  resolveRuntimeConfig,
  settingsVariables,
  validateRuntimeOptions,
} from "../../src/config/index.ts";

describe("settingsVariables: settings written somewhere the agent cannot read, as the ARAL_* variables that carry them", () => {
  const written = {
    tasks: { concurrency: 3 },
    health: { enabled: true, port: 9100 },
    lifecycle: { shutdownSignals: ["SIGTERM", "SIGINT"] },
    resources: { memory: { limit: "256Mi", swap: false } },
    logging: { level: "warn" },
  };
  const config = validateRuntimeOptions(written);

  it("one variable per field written (aliases too), none for a default", () => {
    expect(settingsVariables(written, config)).toEqual({
      variables: {
        ARAL_TASKS_CONCURRENCY: "3",
        ARAL_HEALTH_ENABLED: "true",
        ARAL_HEALTH_PORT: "9100",
        ARAL_LIFECYCLE_SHUTDOWN_SIGNALS: "SIGTERM,SIGINT",
        ARAL_RESOURCES_MEMORY_LIMIT: "256Mi",
        ARAL_RESOURCES_MEMORY_SWAP: "false",
        ARAL_LOGGING_LEVEL: "warn",
        ARAL_LOG_LEVEL: "warn",
      },
      empty: [],
    });
  });

  it("the runtime resolves those variables back to the same settings, over an inherited environment that says otherwise", () => {
    const { variables } = settingsVariables(written, config);
    expect(resolveRuntimeConfig(undefined, variables)).toEqual(config);
    const inherited = { ARAL_LOG_LEVEL: "debug", ARAL_TASKS_CONCURRENCY: "9" };
    expect(resolveRuntimeConfig(undefined, { ...inherited, ...variables })).toEqual(config);
  });

  it("an empty list cannot travel (an empty variable means unset): named with its value in `empty`", () => {
    const signals = { lifecycle: { shutdownSignals: [] } };
    expect(settingsVariables(signals, validateRuntimeOptions(signals))).toEqual({
      variables: {},
      empty: [{ path: "lifecycle.shutdownSignals", value: [] }],
    });
  });
});

describe("manifestPathFromEnvironment", () => {
  it("ARAL_MANIFEST trimmed; unset or blank is no manifest", () => {
    expect(manifestPathFromEnvironment({ ARAL_MANIFEST: " /etc/agent.yaml " })).toBe("/etc/agent.yaml");
    expect(manifestPathFromEnvironment({ ARAL_MANIFEST: "  " })).toBeUndefined();
    expect(manifestPathFromEnvironment({})).toBeUndefined();
  });
});
