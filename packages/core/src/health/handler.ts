import type { RequestHandler } from "@aral/platform";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/exposition.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { HealthMonitor, HealthReport } from "./monitor.ts";

export interface HealthHandlerOptions {
  monitor: HealthMonitor;
  /** Served at /metrics: a registry, or a function returning the exposition text. Absent: /metrics is 404. */
  metrics?: MetricsRegistry | (() => string | Promise<string>);
  /**
   * Serve each check's `error` message and `detail` on /health. Default false: check names, status and durations
   * only - a message or detail can carry a secret, and the endpoints may be bound beyond loopback.
   */
  exposeDetails?: boolean;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/**
 * The HTTP face of health and metrics, for `platform.net.serve`:
 * GET /health (full report; 200 unless status is "fail"), /health/live and /health/ready
 * (200 or 503), /metrics (Prometheus text 0.0.4). Other paths 404; other methods 405.
 */
export function healthHandler(options: HealthHandlerOptions): RequestHandler {
  const { monitor, metrics } = options;
  const exposeDetails = options.exposeDetails === true;
  return async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const known =
      path === "/health" ||
      path === "/health/live" ||
      path === "/health/ready" ||
      (path === "/metrics" && metrics !== undefined);
    if (!known) return json(404, { error: `not found: ${path}` });
    if (request.method !== "GET")
      return json(405, { error: `method ${request.method} not allowed on ${path}` }, { allow: "GET" });
    switch (path) {
      case "/health": {
        const report = monitor.report();
        return json(report.status === "fail" ? 503 : 200, exposeDetails ? report : redacted(report));
      }
      case "/health/live": {
        const live = monitor.isLive();
        return json(live ? 200 : 503, { status: live ? "pass" : "fail", live, instanceId: monitor.instanceId });
      }
      case "/health/ready": {
        const ready = monitor.isReady();
        return json(ready ? 200 : 503, { status: ready ? "pass" : "fail", ready, instanceId: monitor.instanceId });
      }
      default: {
        try {
          const text = typeof metrics === "function" ? await metrics() : metrics!.render();
          return new Response(text, {
            status: 200,
            headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
          });
        } catch (error) {
          return json(500, { error: `metrics failed: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
    }
  };
}

/** The report without any check's error message or detail. */
function redacted(report: HealthReport): HealthReport {
  const checks: HealthReport["checks"] = {};
  for (const [name, { ok, kind, durationMs, lastRun }] of Object.entries(report.checks))
    checks[name] = { ok, kind, durationMs, lastRun };
  return { ...report, checks };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}
