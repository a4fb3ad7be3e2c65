import { describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { newInstanceId } from "../../src/lifecycle/instance-id.ts";
import { AralRuntime } from "../../src/index.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("instance ids", () => {
  it("are version-4 UUIDs, distinct over 100,000 draws, with every variant nibble", () => {
    const seen = new Set<string>();
    const variants = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = newInstanceId();
      expect(id).toMatch(UUID_V4);
      seen.add(id);
      variants.add(id[19]!);
    }
    expect(seen.size).toBe(100_000);
    expect([...variants].sort()).toEqual(["8", "9", "a", "b"]);
  });

  it("each runtime gets its own", () => {
    const deps = { platform: createPlatform(), logSink: () => {}, handleSignals: false, env: {} };
    const a = new AralRuntime({}, deps);
    const b = new AralRuntime({}, deps);
    expect(a.instanceId).toMatch(UUID_V4);
    expect(a.instanceId).not.toBe(b.instanceId);
  });
});

describe("ARAL_INSTANCE_ID (a supervisor's name for the instance)", () => {
  const deps = (env: Record<string, string>) => ({
    platform: createPlatform(),
    logSink: () => {},
    handleSignals: false,
    env,
  });

  it("is the runtime's instance id when set, trimmed, and labels its metrics", async () => {
    const runtime = new AralRuntime({}, deps({ ARAL_INSTANCE_ID: " agent-3 " }));
    expect(runtime.instanceId).toBe("agent-3");
    await runtime.start();
    try {
      expect(runtime.prometheusMetrics()).toMatch(/instance_id="agent-3"/);
    } finally {
      await runtime.stop();
    }
  });

  it("empty is unset: a random UUID", () => {
    expect(new AralRuntime({}, deps({ ARAL_INSTANCE_ID: "  " })).instanceId).toMatch(UUID_V4);
  });

  it.each([
    ["a space inside", "agent 3"],
    ["a control character", "agent\u00073"],
    ["non-ASCII", "agent-\u00e9"],
    ["129 characters", "a".repeat(129)],
  ])("%s: every start fails with a ConfigError naming the variable", async (_case, value) => {
    const runtime = new AralRuntime({}, deps({ ARAL_INSTANCE_ID: value }));
    const failure = await runtime.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ name: "LifecycleError", code: "StartupFailed" });
    const cause = (failure as Error).cause;
    expect(cause).toMatchObject({ name: "ConfigError", code: "invalid" });
    expect((cause as Error).message).toContain("[from ARAL_INSTANCE_ID]");
    expect(runtime.getStatus()).toBe("failed");
  });
});
