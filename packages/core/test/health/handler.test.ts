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
    expect(post.headers.get("allow")).toBe("GET, HEAD");
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

describe("healthHandler: HEAD and unserialisable details over real HTTP on 127.0.0.1 (node adapter)", () => {
  async function serve(handler: ReturnType<typeof healthHandler>) {
    const platform: Platform = createNodePlatform();
    return platform.net.serve(handler, { hostname: "127.0.0.1", port: 0 });
  }

  it("HEAD answers every endpoint with the GET's status and headers and no body; HEAD /metrics runs no collector", async () => {
    const { monitor, setAlive } = setup();
    await monitor.runChecks();
    const metrics = new MetricsRegistry();
    let collected = 0;
    metrics.onCollect(() => collected++);
    const withCollector = healthHandler({ monitor, metrics });
    const server = await serve(withCollector);
    try {
      const compare = async (path: string) => {
        const get = await fetch(`${server.url}${path}`);
        await get.arrayBuffer();
        const head = await fetch(`${server.url}${path}`, { method: "HEAD" });
        expect(await head.text(), `HEAD ${path} body`).toBe("");
        expect([head.status, head.headers.get("content-type"), head.headers.get("cache-control")]).toEqual([
          get.status,
          get.headers.get("content-type"),
          get.headers.get("cache-control"),
        ]);
        return head.status;
      };
      expect(await compare("/health")).toBe(200);
      expect(await compare("/health/live")).toBe(200);
      expect(await compare("/health/ready")).toBe(200);
      const scrapes = collected;
      expect(await compare("/metrics")).toBe(200);
      expect(collected).toBe(scrapes + 1); // the GET ran the collectors, the HEAD did not
      expect(await compare("/nope")).toBe(404);
      monitor.setAccepting(false);
      setAlive(false);
      await monitor.runChecks();
      expect(await compare("/health/ready")).toBe(503);
      expect(await compare("/health/live")).toBe(503);
      expect(await compare("/health")).toBe(503);
      const post = await fetch(`${server.url}/health`, { method: "POST" });
      expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
      await post.body?.cancel();
    } finally {
      await server.close();
    }
  });

  it("exposeDetails: a BigInt, a cycle or a throwing toJSON in a detail is served as JSON, the rest unchanged", async () => {
    const monitor = new HealthMonitor({ interval: 1000, timeout: 100 });
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    monitor.register("bigint", () => ({ ok: true, detail: { n: 10n, nested: [1n, "x"] } }));
    monitor.register("cycle", () => ({ ok: true, detail: cycle }));
    monitor.register("toJSON", () => ({
      ok: true,
      detail: {
        toJSON() {
          throw new Error("no JSON for you");
        },
      },
    }));
    monitor.register("plain", () => ({ ok: true, detail: { rows: 3, when: new Date(0), token: "kept" } }));
    await monitor.runChecks();
    const server = await serve(healthHandler({ monitor, exposeDetails: true }));
    try {
      const response = await fetch(`${server.url}/health`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await response.json();
      expect(body.checks.bigint.detail).toEqual({ n: "10", nested: ["1", "x"] });
      expect(body.checks.cycle.detail).toEqual({ name: "loop", self: "[Circular]" });
      expect(body.checks.toJSON.detail).toMatch(/^\[Unreadable: no JSON for you\]$/);
      expect(body.checks.plain.detail).toEqual({ rows: 3, when: "1970-01-01T00:00:00.000Z", token: "kept" });
    } finally {
      await server.close();
    }
  });
});

describe("healthHandler: a check named __proto__", () => {
  it("is served on /health like any other, with and without exposeDetails", async () => {
    const monitor = new HealthMonitor({ interval: 1000, timeout: 200 });
    monitor.register("__proto__", () => ({ ok: false, detail: { big: 10n } }));
    await monitor.runChecks();
    for (const exposeDetails of [false, true]) {
      const response = await healthHandler({ monitor, exposeDetails })(new Request("http://x/health"));
      const body = JSON.parse(await response.text()) as { checks: Record<string, unknown> };
      expect(Object.keys(body.checks)).toEqual(["__proto__"]);
      expect(Object.getOwnPropertyDescriptor(body.checks, "__proto__")?.value).toMatchObject({ ok: false });
    }
  });
});
