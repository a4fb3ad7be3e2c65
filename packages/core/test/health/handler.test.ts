import { describe, expect, it } from "vitest";
import type { Platform } from "@aral/platform";
import { HealthMonitor, healthHandler } from "../../src/health/index.ts";
import { MetricsRegistry } from "../../src/metrics/index.ts";
import { createPlatform as createNodePlatform } from "../../../../adapters/node/src/index.ts";

function setup() {
  const monitor = new HealthMonitor({ interval: 1000, timeout: 100, instanceId: "inst-7" });
  let ready = true;
  let alive = true;
  monitor.register("alive", () => alive, { kind: "liveness" });
  monitor.register("ready", () => ready, { kind: "readiness" });
  const metrics = new MetricsRegistry();
  metrics.counter("aral_test_requests_total", "Test requests.").inc(3);
  const handler = healthHandler({ monitor, metrics });
  return { monitor, handler, setReady: (v: boolean) => (ready = v), setAlive: (v: boolean) => (alive = v) };
}

const get = (path: string, method = "GET") => new Request(`http://127.0.0.1${path}`, { method });

describe("healthHandler", () => {
  it("GET /health returns the report as JSON, 200 on pass and warn, 503 on fail", async () => {
    const { monitor, handler, setAlive, setReady } = setup();
    await monitor.runChecks();
    let response = await handler(get("/health"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await response.json();
    expect(body).toMatchObject({
      status: "pass",
      live: true,
      ready: true,
      instanceId: "inst-7",
      checks: { alive: { ok: true, kind: "liveness" } },
    });
    expect(new Date(body.lastCheck).getTime()).toBeGreaterThan(0);
    setReady(false);
    await monitor.runChecks();
    response = await handler(get("/health"));
    expect([response.status, (await response.json()).status]).toEqual([200, "warn"]);
    setAlive(false);
    await monitor.runChecks();
    response = await handler(get("/health"));
    expect([response.status, (await response.json()).status]).toEqual([503, "fail"]);
  });

  it("/health serves no check message or detail unless exposeDetails is set", async () => {
    const monitor = new HealthMonitor({ interval: 1000, timeout: 100 });
    monitor.register("db", () => {
      throw new Error("password=hunter2");
    });
    monitor.register("cache", () => ({ ok: true, detail: { token: "hunter2" } }));
    await monitor.runChecks();
    const redacted = await (await healthHandler({ monitor })(get("/health"))).json();
    expect(JSON.stringify(redacted)).not.toContain("hunter2");
    expect(Object.keys(redacted.checks.db).sort()).toEqual(["durationMs", "kind", "lastRun", "ok"]);
    const full = await (await healthHandler({ monitor, exposeDetails: true })(get("/health"))).json();
    expect(full.checks.db.error).toBe("password=hunter2");
    expect(full.checks.cache.detail).toEqual({ token: "hunter2" });
  });

  it("/health/live and /health/ready answer 200/503 with JSON; readiness drops when accepting stops", async () => {
    const { monitor, handler } = setup();
    await monitor.runChecks();
    expect((await handler(get("/health/live"))).status).toBe(200);
    const ready = await handler(get("/health/ready"));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "pass", ready: true, instanceId: "inst-7" });
    monitor.setAccepting(false);
    const notReady = await handler(get("/health/ready"));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: "fail", ready: false });
    expect((await handler(get("/health/live"))).status).toBe(200);
  });

  it("/metrics serves Prometheus text 0.0.4", async () => {
    const { handler } = setup();
    const response = await handler(get("/metrics"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain("aral_test_requests_total 3\n");
    const viaFunction = healthHandler({ monitor: setup().monitor, metrics: async () => "# custom\n" });
    expect(await (await viaFunction(get("/metrics"))).text()).toBe("# custom\n");
  });

  it("404 for unknown paths (and /metrics without metrics), 405 for other methods", async () => {
    const { handler, monitor } = setup();
    expect((await handler(get("/"))).status).toBe(404);
    expect((await handler(get("/health/other"))).status).toBe(404);
    expect((await handler(get("/metrics?x=1"))).status).toBe(200);
    expect((await healthHandler({ monitor })(get("/metrics"))).status).toBe(404);
    const post = await handler(get("/health", "POST"));
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect((await handler(get("/metrics", "DELETE"))).status).toBe(405);
  });
});

// Through a real server on 127.0.0.1 (the Node adapter's sources): an adapter that cannot load fails this file.
describe("healthHandler over platform.net.serve (node adapter)", () => {
  it("answers real HTTP requests on 127.0.0.1", async () => {
    const platform: Platform = createNodePlatform();
    const { monitor, handler } = setup();
    await monitor.runChecks();
    const server = await platform.net.serve(handler, { hostname: "127.0.0.1", port: 0 });
    try {
      expect(server.hostname).toBe("127.0.0.1");
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "pass", instanceId: "inst-7" });
      monitor.setAccepting(false);
      const ready = await fetch(`${server.url}/health/ready`);
      expect(ready.status).toBe(503);
      await ready.body?.cancel();
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await metrics.text()).toContain("aral_test_requests_total 3");
      expect((await fetch(`${server.url}/nope`, { method: "POST" })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
