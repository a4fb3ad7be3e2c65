import { describe, expect, it } from "vitest";
import { ResourceManager } from "../../src/resources/manager.ts";
import type { ResourceEvent } from "../../src/resources/manager.ts";
import { ResourceLimitError, ResourceRequestError } from "../../src/resources/errors.ts";
import { ConfigError } from "../../src/config/errors.ts";

const Mi = 2 ** 20;

describe("ResourceManager", () => {
  it("rejects the seed's 200Mi over a 100Mi limit with 'Resource limit exceeded'", async () => {
    const manager = new ResourceManager({ memory: { limit: "100Mi" } });
    await expect(manager.allocate({ memory: "200Mi" })).rejects.toThrow("Resource limit exceeded");
    const error = await manager.allocate({ memory: "200Mi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceLimitError);
    expect(error).toMatchObject({
      name: "ResourceLimitError",
      resource: "memory",
      requested: 200 * Mi,
      available: 100 * Mi,
      limit: 100 * Mi,
    });
    expect((error as Error).message).toContain("200Mi");
  });

  it("leases count against the limit until released; release is idempotent", async () => {
    const manager = new ResourceManager({ memory: { limit: "100Mi" }, cpu: { limit: "2" } });
    const a = await manager.allocate({ memory: "60Mi", cpu: "500m" });
    expect(a.amounts).toMatchObject({ memory: 60 * Mi, cpu: 0.5 });
    expect(manager.usage().memory).toEqual({ limit: 100 * Mi, request: 0, allocated: 60 * Mi, available: 40 * Mi });
    const error = await manager.allocate({ memory: "60Mi" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ resource: "memory", available: 40 * Mi });
    a.release();
    a.release();
    expect(a.released).toBe(true);
    expect(manager.usage().memory.allocated).toBe(0);
    expect(manager.usage().cpu.allocated).toBe(0);
    const b = await manager.allocate({ memory: "100Mi" });
    expect(manager.activeLeases).toBe(1);
    b.release();
  });

  it("is atomic: a request over one limit reserves none of the other kinds", async () => {
    const manager = new ResourceManager({ memory: { limit: "100Mi" }, cpu: { limit: "1" } });
    await expect(manager.allocate({ memory: "10Mi", cpu: "1500m" })).rejects.toMatchObject({ resource: "cpu" });
    expect(manager.usage().memory.allocated).toBe(0);
    expect(manager.usage().cpu.allocated).toBe(0);
  });

  it("never overshoots under concurrent callers", async () => {
    const manager = new ResourceManager({ memory: { limit: "100Mi" } });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => manager.allocate({ memory: "7Mi" })));
    const granted = results.filter((r) => r.status === "fulfilled");
    expect(granted).toHaveLength(14);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(36);
    expect(manager.usage().memory.allocated).toBe(98 * Mi);
  });

  it("works with `using` and `await using`", async () => {
    const manager = new ResourceManager({ memory: { limit: "10Mi" } });
    {
      await using lease = await manager.allocate({ memory: "10Mi" });
      expect(lease.released).toBe(false);
      expect(manager.usage().memory.available).toBe(0);
    }
    expect(manager.usage().memory.allocated).toBe(0);
    {
      using lease = await manager.allocate({ memory: "10Mi" });
      expect(lease.id).toBeGreaterThan(0);
    }
    expect(manager.usage().memory.allocated).toBe(0);
    expect(typeof Symbol.dispose).toBe("symbol");
    expect(typeof Symbol.asyncDispose).toBe("symbol");
  });

  it("reports requests as guaranteed reservations and rejects a request above its limit", () => {
    const manager = new ResourceManager({
      cpu: { limit: "2000m", request: "500m" },
      memory: { limit: "2Gi", request: "512Mi" },
    });
    expect(manager.reserved()).toEqual({ cpu: 0.5, memory: 512 * Mi, storage: 0, connections: 0 });
    expect(manager.usage().cpu).toMatchObject({ limit: 2, request: 0.5 });
    expect(() => new ResourceManager({ memory: { limit: "1Gi", request: "2Gi" } })).toThrow(ConfigError);
    expect(() => new ResourceManager({ memory: { limit: "2GB" } })).toThrow(/resources\.memory\.limit/);
  });

  it("emits an event for every allocation, release and denial", async () => {
    const manager = new ResourceManager({ network: { connections: 2 } });
    const events: ResourceEvent[] = [];
    const off = manager.onEvent((e) => events.push(e));
    manager.onEvent(() => {
      throw new Error("a broken listener changes nothing");
    });
    const lease = await manager.allocate({ connections: 2 });
    await manager.allocate({ connections: 1 }).catch(() => {});
    lease.release();
    lease.release();
    off();
    await manager.allocate({ connections: 1 });
    expect(events.map((e) => e.type)).toEqual(["allocated", "denied", "released"]);
    expect(events[0]).toMatchObject({ leaseId: lease.id, amounts: { connections: 2 }, allocated: { connections: 2 } });
    expect(events[1]).toMatchObject({ request: { connections: 1 }, error: { resource: "connections", limit: 2 } });
  });

  it.each([
    [{ memory: "2GB" }, "memory"],
    [{ memory: "-1Gi" }, "memory"],
    [{ cpu: -1 }, "cpu"],
    [{ cpu: "" }, "cpu"],
    [{ connections: 1.5 }, "connections"],
    [{ gpu: 1 }, "gpu"],
  ])("rejects bad input %j with a ResourceRequestError naming %s", async (request, resource) => {
    const manager = new ResourceManager({});
    const error = await manager.allocate(request as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceRequestError);
    expect(error).toMatchObject({ resource });
    expect((error as Error).message).toContain(resource);
  });

  it("without limits grants anything and releaseAll() frees every lease", async () => {
    const manager = new ResourceManager();
    await manager.allocate({ memory: "1Ti" });
    await manager.allocate({ cpu: 64 });
    expect(manager.usage().memory.available).toBeNull();
    manager.releaseAll();
    expect(manager.activeLeases).toBe(0);
    expect(manager.usage().cpu.allocated).toBe(0);
  });
});
