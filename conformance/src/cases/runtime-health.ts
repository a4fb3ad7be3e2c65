import { equal, match, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { HealthCheckError } from "@aral/core/health";
import { until } from "../harness/helpers.ts";
import { runtimeFor } from "./runtime-helpers.ts";

export const runtimeHealthCases = defineCases([
  {
    name: "health: endpoints over real HTTP on 127.0.0.1 — live, ready, report, Prometheus metrics; gone after stop",
    capability: "runtime.health",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, {
        health: { enabled: true, port: 0 },
        lifecycle: { healthcheck: { interval: 50, timeout: 100 } },
      });
      let dependencyUp = true;
      runtime.addHealthCheck("dependency", () => dependencyUp, { kind: "readiness" });
      await runtime.start();
      const base = runtime.healthUrl;
      ok(base, "healthUrl is set");
      match(base, /^http:\/\/127\.0\.0\.1:\d+$/, "healthUrl");
      const get = (path: string) => ctx.platform.net.fetch(`${base}${path}`);
      equal((await get("/health/live")).status, 200, "GET /health/live");
      equal((await get("/health/ready")).status, 200, "GET /health/ready");
      const report = (await (await get("/health")).json()) as {
        instanceId: string;
        checks: Record<string, { ok: boolean }>;
      };
      equal(report.instanceId, runtime.instanceId, "report.instanceId");
      equal(report.checks["dependency"]?.ok, true, "report.checks.dependency.ok");
      const metrics = await get("/metrics");
      match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/, "metrics content-type");
      // every sample carries the agent's name and the runtime's instance id as labels
      match(
        await metrics.text(),
        new RegExp(`^aral_uptime_seconds\\{agent="aral-agent",instance_id="${runtime.instanceId}"\\} \\d`, "m"),
        "metrics body",
      );
      dependencyUp = false;
      await new Promise((r) => setTimeout(r, 250));
      equal((await get("/health/ready")).status, 503, "GET /health/ready with a failing readiness check");
      equal((await get("/health/live")).status, 200, "GET /health/live (a readiness check does not affect liveness)");
      await runtime.stop();
      await rejects(() => get("/health/live"), {}, "GET after stop");
    },
  },
  {
    name: "health: /health serves check names, status and durations only — a failing check's message and detail are not served unless health.exposeDetails is set",
    capability: "runtime.health",
    async run(ctx) {
      const secret = "postgres://admin:hunter2@db";
      for (const exposeDetails of [false, true]) {
        const { runtime } = runtimeFor(ctx, {
          health: { enabled: true, port: 0, exposeDetails },
          lifecycle: { healthcheck: { interval: 50, timeout: 1000 } },
        });
        runtime.addHealthCheck(
          "database",
          () => {
            throw new Error(`cannot reach ${secret}`);
          },
          { kind: "readiness" },
        );
        runtime.addHealthCheck("cache", () => ({ ok: true, detail: { url: secret } }), { kind: "readiness" });
        await runtime.start();
        try {
          let body = "";
          const deadline = Date.now() + 10_000;
          do {
            body = await (await ctx.platform.net.fetch(`${runtime.healthUrl}/health`)).text();
          } while (!/"database":\{[^}]*"lastRun":"/.test(body) && Date.now() < deadline);
          const report = JSON.parse(body) as { checks: Record<string, Record<string, unknown>> };
          equal(report.checks.database?.ok, false, `database check in ${body}`);
          ok(typeof report.checks.database?.durationMs === "number", "durationMs is served");
          if (exposeDetails) {
            ok(body.includes("hunter2"), `with exposeDetails the message and detail are served (${body})`);
          } else {
            ok(!body.includes("hunter2"), `the secret in the check's message/detail is not served (${body})`);
            equal(report.checks.database?.error, undefined, "error of the failing check");
            equal(report.checks.cache?.detail, undefined, "detail of the passing check");
          }
        } finally {
          await runtime.stop();
        }
      }
    },
  },
  {
    name: "health: a hung check counts as failed after its timeout",
    capability: "runtime.health",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { lifecycle: { healthcheck: { interval: 50, timeout: 100 } } });
      runtime.addHealthCheck("hangs", () => new Promise<boolean>(() => {}), { kind: "liveness" });
      await runtime.start();
      await until(
        "a finished round of the hung check",
        2_000,
        () => runtime.healthReport()?.checks["hangs"]?.lastRun != null,
      );
      const check = runtime.healthReport()?.checks["hangs"];
      equal(check?.ok, false, "the hung check's result");
      match(String(check?.error), /timed out|100 ms/, "the hung check's error");
      equal(runtime.isHealthy(), false, "isHealthy()");
    },
  },
  {
    name: "health: a check name is taken once: the built-in 'runtime' and a name already added are refused before and after start, and a refused check never reaches a later run",
    capability: "runtime.health",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { lifecycle: { healthcheck: { interval: 50, timeout: 100 } } });
      const duplicate = { instance: HealthCheckError, message: /already registered/ };
      await rejects(() => runtime.addHealthCheck("runtime", () => true), duplicate, "'runtime' before start");
      runtime.addHealthCheck("db", () => true, { kind: "readiness" });
      await rejects(() => runtime.addHealthCheck("db", () => false), duplicate, "a second 'db' before start");
      await runtime.start();
      await rejects(() => runtime.addHealthCheck("db", () => false), duplicate, "a second 'db' while running");
      await rejects(() => runtime.addHealthCheck("runtime", () => false), duplicate, "'runtime' while running");
      await runtime.restart();
      await until(
        "a round of checks after the restart",
        2_000,
        () => runtime.healthReport()?.checks["db"]?.lastRun != null,
      );
      equal(runtime.healthReport()?.checks["db"]?.ok, true, "after a restart, 'db' is still the first check");
      equal(runtime.isHealthy(), true, "isHealthy() after the restart");
      equal(runtime.removeHealthCheck("db"), true, "removeHealthCheck('db')");
      equal(runtime.removeHealthCheck("db"), false, "removeHealthCheck('db') again");
      equal(runtime.removeHealthCheck("runtime"), false, "removeHealthCheck('runtime'): built in, not removable");
      equal(runtime.healthReport()?.checks["db"], undefined, "'db' after removal");
      runtime.addHealthCheck("db", () => true);
      await runtime.restart();
      ok(runtime.healthReport()?.checks["db"] !== undefined, "'db' added again after removal survives a restart");
    },
  },
  {
    name: "health: a misspelt check option is refused naming it (timeout: did you mean timeoutMs?); a check that hangs past its timeout is not called again while that call runs",
    capability: "runtime.health",
    async run(ctx) {
      const { runtime } = runtimeFor(ctx, { lifecycle: { healthcheck: { interval: 10, timeout: 30 } } });
      await rejects(
        () => runtime.addHealthCheck("db", () => true, { timeout: 50 } as never),
        { instance: HealthCheckError, message: /unknown option "timeout" \(did you mean "timeoutMs"\?\)/ },
        "addHealthCheck with { timeout }",
      );
      let calls = 0;
      runtime.addHealthCheck("hangs", () => {
        calls++;
        return new Promise<boolean>(() => {}); // ignores its signal, never settles
      });
      await runtime.start();
      await until("a run that finds the first call still running", 5_000, () =>
        /^still running/.test(runtime.healthReport()?.checks["hangs"]?.error ?? ""),
      );
      equal(calls, 1, "calls of a check whose first call never settled");
    },
  },
]);
