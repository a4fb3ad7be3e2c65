import { deepEqual, equal, match } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { until } from "../harness/helpers.ts";
import { runtimeFor } from "./runtime-helpers.ts";

/** The health server's HTTP details, on the platform's own server: HEAD, and a detail JSON.stringify cannot take. */
export const runtimeHealthHttpCases = defineCases([
  {
    name: "health: HEAD on /health, /health/live, /health/ready and /metrics answers the GET's status and headers with no body; other methods 405 with Allow: GET, HEAD",
    capability: "runtime.health",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, {
        health: { enabled: true, port: 0 },
        lifecycle: { healthcheck: { interval: 50, timeout: 1000 } },
      });
      runtime.addHealthCheck("dependency", () => false, { kind: "readiness" });
      await runtime.start();
      await until(
        "a round of the health checks",
        5_000,
        () => runtime.healthReport()?.checks["dependency"]?.lastRun != null,
      );
      const base = runtime.healthUrl;
      for (const [path, status] of [
        ["/health", 200],
        ["/health/live", 200],
        ["/health/ready", 503],
        ["/metrics", 200],
        ["/nope", 404],
      ] as const) {
        const get = await ctx.platform.net.fetch(`${base}${path}`);
        await get.arrayBuffer();
        const head = await ctx.platform.net.fetch(`${base}${path}`, { method: "HEAD" });
        equal(head.status, status, `HEAD ${path} status`);
        equal(head.status, get.status, `HEAD ${path} status as GET's`);
        equal(head.headers.get("content-type"), get.headers.get("content-type"), `HEAD ${path} content-type`);
        equal(head.headers.get("cache-control"), get.headers.get("cache-control"), `HEAD ${path} cache-control`);
        equal(await head.text(), "", `HEAD ${path} body`);
      }
      const post = await ctx.platform.net.fetch(`${base}/health`, { method: "POST" });
      equal(post.status, 405, "POST /health");
      equal(post.headers.get("allow"), "GET, HEAD", "Allow of the 405");
      await post.body?.cancel();
    },
  },
  {
    name: "health: with exposeDetails, a check detail holding a BigInt or a cycle is served as JSON (BigInt as a decimal string, the cycle as [Circular]), not a 500",
    capability: "runtime.health",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, {
        health: { enabled: true, port: 0, exposeDetails: true },
        lifecycle: { healthcheck: { interval: 50, timeout: 1000 } },
      });
      const cycle: Record<string, unknown> = { name: "loop" };
      cycle["self"] = cycle;
      runtime.addHealthCheck("bigint", () => ({ ok: true, detail: { rows: 10n } }), { kind: "readiness" });
      runtime.addHealthCheck("cycle", () => ({ ok: true, detail: cycle }), { kind: "readiness" });
      await runtime.start();
      await until(
        "a round of the health checks",
        5_000,
        () => runtime.healthReport()?.checks["cycle"]?.lastRun != null,
      );
      for (let i = 0; i < 2; i++) {
        const response = await ctx.platform.net.fetch(`${runtime.healthUrl}/health`);
        equal(response.status, 200, "GET /health status");
        match(response.headers.get("content-type") ?? "", /^application\/json/, "GET /health content-type");
        const report = (await response.json()) as { checks: Record<string, { detail?: unknown }> };
        deepEqual(report.checks["bigint"]?.detail, { rows: "10" }, "the BigInt detail");
        deepEqual(report.checks["cycle"]?.detail, { name: "loop", self: "[Circular]" }, "the circular detail");
      }
    },
  },
]);
