import type { RequestHandler } from "@aral/platform";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/exposition.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { HealthMonitor } from "./monitor.ts";

export interface HealthHandlerOptions {
  monitor: HealthMonitor;
  /** Served at /metrics: a registry, or a function returning the exposition text. Absent: /metrics is 404. */
  metrics?: MetricsRegistry | (() => string | Promise<string>);
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/**
 * The HTTP face of health and metrics, for `platform.net.serve`:
 * GET /health (full report; 200 unless status is "fail"), /health/live and /health/ready
 * (200 or 503), /metrics (Prometheus text 0.0.4). Other paths 404; other methods 405.
 */
export function healthHandler(options: HealthHandlerOptions): RequestHandler {
  const { monitor, metrics } = options;
  return async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const known = path === "/health" || path === "/health/live" || path === "/health/ready" || (path === "/metrics" && metrics !== undefined);
    if (!known) return json(404, { error: `not found: ${path}` });
    if (request.method !== "GET") return json(405, { error: `method ${request.method} not allowed on ${path}` }, { allow: "GET" });
    switch (path) {
      case "/health": {
        const report = monitor.report();
        return json(report.status === "fail" ? 503 : 200, report);
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
          return new Response(text, { status: 200, headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
        } catch (error) {
          return json(500, { error: `metrics failed: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
    }
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}
