import { describe, expect, it } from "vitest";
import { describeEnforcement, RESOURCE_FIELDS } from "../../src/resources/enforcement.ts";
import { isResolvedResources, resolveResources } from "../../src/resources/config.ts";
import { createResourceMonitor } from "../../src/resources/monitor.ts";
import { ResourceManager } from "../../src/resources/manager.ts";
import { validateRuntimeOptions } from "../../src/config/index.ts";
import { ConfigError } from "../../src/config/errors.ts";

const platform = {
  runtime: { name: "node", version: "20.20.2", os: "linux", arch: "x64", cpus: 2, hostname: "test-host" },
};

const seed = {
  cpu: { limit: "2000m", request: "500m", throttling: "enabled" as const },
  memory: { limit: "2Gi", request: "512Mi", swap: "disabled" as const },
  storage: { persistent: "/data", ephemeral: "/tmp", maxSize: "10Gi" },
  network: { bandwidth: "100Mbps", connections: 1000, timeout: 30000 },
};

describe("describeEnforcement", () => {
  it("describes every resource field of the seed, none silently", () => {
    const rows = describeEnforcement(seed, platform);
    expect(rows.map((r) => r.field)).toEqual([...RESOURCE_FIELDS]);
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      expect(["enforced", "reported", "unsupported"]).toContain(row.status);
      expect(row.how.length).toBeGreaterThan(20);
    }
    const by = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(by["cpu.limit"]).toMatchObject({ value: "2", status: "enforced" });
    expect(by["cpu.request"]).toMatchObject({ value: "500m", status: "reported" });
    expect(by["cpu.throttling"]).toMatchObject({ value: "enabled", status: "enforced" });
    expect(by["memory.limit"]).toMatchObject({ value: "2Gi", status: "enforced" });
    expect(by["memory.limit"]!.how).toMatch(/kernel limit \(OOM kill\) only in a cgroup — under aral run/);
    expect(by["memory.swap"]).toMatchObject({ value: "disabled", status: "reported" });
    expect(by["memory.swap"]!.how).toMatch(/unsupported in-process/);
    expect(by["storage.maxSize"]).toMatchObject({ value: "10Gi", status: "enforced" });
    expect(by["network.bandwidth"]).toMatchObject({ value: "100Mbps", status: "enforced" });
    expect(by["network.connections"]).toMatchObject({ value: "1000" });
    expect(by["network.timeout"]).toMatchObject({ value: "30000ms" });
  });

  it("says when the machine cannot honour a request, and lists absent fields with a null value", () => {
    const rows = describeEnforcement({ cpu: { request: "4", throttling: "disabled" } }, platform);
    const by = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(by["cpu.request"]).toMatchObject({ value: "4", status: "unsupported" });
    expect(by["cpu.throttling"]).toMatchObject({ value: "disabled", status: "reported" });
    expect(by["memory.limit"]!.value).toBeNull();
    expect(rows).toHaveLength(12);
  });

  it("accepts resolved resources as well", () => {
    expect(describeEnforcement(resolveResources(seed), platform)).toEqual(describeEnforcement(seed, platform));
  });
});

describe("resolveResources", () => {
  it("parses the seed's examples into base units, with defaults for the runtime's own fields", () => {
    expect(resolveResources(seed)).toEqual({
      cpu: { limit: 2, request: 0.5, throttling: true },
      memory: { limit: 2 * 2 ** 30, request: 512 * 2 ** 20, swap: false },
      storage: { persistent: "/data", ephemeral: "/tmp", maxSize: 10 * 2 ** 30, cleanup: { onStop: true } },
      network: { bandwidth: 1e8, connections: 1000, timeout: 30000, overflow: "wait" },
      fallback: "reject",
      monitor: { enabled: true, interval: 5000, thresholds: { memory: 0.9, cpu: 0.9, disk: 0.9 }, hysteresis: 0.05 },
    });
  });

  it("accepts the resources section as the config area validates it (extras, toggles as booleans)", () => {
    const runtime = validateRuntimeOptions({
      resources: { ...seed, fallback: "shed", monitor: { interval: 250, thresholds: { cpu: 0.8 } } },
    });
    expect(isResolvedResources(runtime.resources)).toBe(false);
    const resolved = resolveResources(runtime.resources);
    expect(isResolvedResources(resolved)).toBe(true);
    expect(resolveResources(resolved)).toBe(resolved);
    expect(resolved).toMatchObject({
      cpu: { limit: 2, throttling: true },
      fallback: "shed",
      monitor: { interval: 250, thresholds: { cpu: 0.8 } },
    });
    const monitor = createResourceMonitor(
      {
        usage: {
          memory: () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 0 }),
          cpu: () => ({ userMicros: 0, systemMicros: 0 }),
        },
      },
      resolved,
    );
    expect(monitor.policy).toBe("shed");
    expect(new ResourceManager(runtime.resources).usage().memory.limit).toBe(2 * 2 ** 30);
  });

  it.each([
    [{ memory: { limit: "2GB" } }, "resources.memory.limit"],
    [{ cpu: { limit: "-1" } }, "resources.cpu.limit"],
    [{ cpu: { limit: 0 } }, "resources.cpu.limit"],
    [{ cpu: { throttling: "sometimes" } }, "resources.cpu.throttling"],
    [{ network: { connections: 0 } }, "resources.network.connections"],
    [{ network: { timeout: -1 } }, "resources.network.timeout"],
    [{ network: { bandwidth: "100MB" } }, "resources.network.bandwidth"],
    [{ storage: { persistent: "" } }, "resources.storage.persistent"],
    [{ gpu: {} }, "resources.gpu"],
    [{ memory: { limit: "1Gi", request: "2Gi" } }, "resources.memory.request"],
    [{ fallback: "panic" }, "resources.fallback"],
    [{ monitor: { thresholds: { memory: 1.5 } } }, "resources.monitor.thresholds.memory"],
    [{ network: { overflow: "drop" } }, "resources.network.overflow"],
  ])("rejects %j naming %s", (config, path) => {
    try {
      resolveResources(config as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.path)).toContain(path);
      expect((error as Error).message).toContain(path);
    }
  });
});
