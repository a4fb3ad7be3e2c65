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
