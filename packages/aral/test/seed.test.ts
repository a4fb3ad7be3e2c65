// The seed's own test examples (shared/seed/runtime-layer.txt, "Testing"), run as written under vitest on Node,
// `bun test` on Bun (which maps "vitest" to bun:test) and `deno test` on Deno (deno.json maps "vitest" to a shim).
// Only the import of AralRuntime differs: the seed imports './runtime', users import "aral".
import { describe, it, expect } from "vitest";
import { AralRuntime } from "aral";

describe("Runtime Layer", () => {
  it("should start and stop gracefully", async () => {
    const runtime = new AralRuntime();

    await runtime.start();
    expect(runtime.getStatus()).toBe("running");

    await runtime.stop(true);
    expect(runtime.getStatus()).toBe("stopped");
  });

  it("should enforce resource limits", async () => {
    const runtime = new AralRuntime({
      resources: {
        memory: { limit: "100Mi" },
      },
    });

    await runtime.start();

    // Try to allocate more than limit
    await expect(runtime.allocate({ memory: "200Mi" })).rejects.toThrow("Resource limit exceeded");

    await runtime.stop(true);
  });
});
