import type { RequestHandler } from "@aral/platform";
import { toJsonValue } from "../logging/to-json-value.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/exposition.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import { putOwn } from "./monitor.ts";
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
const METRICS_HEADERS = { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" };
/** exposeDetails serves a check's detail as the check gave it: nothing redacted, only made serialisable. */
const keepEveryKey = (_key: string): boolean => false;

/**
 * The HTTP face of health and metrics, for `platform.net.serve`:
 * GET /health (full report; 200 unless status is "fail"), /health/live and /health/ready
 * (200 or 503), /metrics (Prometheus text 0.0.4). HEAD on each answers the GET's status and headers without a body
 * (RFC 9110 9.3.2); HEAD /metrics does not render (rendering runs the collectors, which take the lag maximum since the
 * previous scrape), so it is 200 with the headers. Other paths 404; other methods 405 with `Allow: GET, HEAD`.
 */
export function healthHandler(options: HealthHandlerOptions): RequestHandler {
  const { monitor, metrics } = options;
  const exposeDetails = options.exposeDetails === true;
  return async (request: Request): Promise<Response> => {
    if (request.method !== "HEAD") return respond(request);
    // HEAD /metrics does not render: rendering runs the collectors (the lag maximum is taken per scrape).
    const response =
      new URL(request.url).pathname === "/metrics" && metrics !== undefined
        ? new Response(null, { status: 200, headers: METRICS_HEADERS })
        : await respond(request);
    await response.body?.cancel();
    return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  async function respond(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const known =
      path === "/health" ||
      path === "/health/live" ||
      path === "/health/ready" ||
      (path === "/metrics" && metrics !== undefined);
    if (!known) return json(404, { error: `not found: ${path}` });
    const method = request.method;
    if (method !== "GET" && method !== "HEAD")
      return json(405, { error: `method ${method} not allowed on ${path}` }, { allow: "GET, HEAD" });
    return answer(path);
  }

  async function answer(path: string): Promise<Response> {
    switch (path) {
      case "/health": {
        const report = monitor.report();
        return json(report.status === "fail" ? 503 : 200, exposeDetails ? serialisable(report) : redacted(report));
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
          return new Response(text, { status: 200, headers: METRICS_HEADERS });
        } catch (error) {
          return json(500, { error: `metrics failed: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
    }
  }
}

/**
 * The report with every check's detail made JSON: a detail JSON.stringify can serialise is served unchanged; one it
 * cannot (a BigInt, a cycle, a throwing getter or toJSON) goes through the logger's toJsonValue (BigInt as a decimal
 * string, a cycle as "[Circular]", ...), so one odd detail cannot turn /health into a 500.
 */
function serialisable(report: HealthReport): HealthReport {
  let checks: HealthReport["checks"] | undefined;
  for (const [name, check] of Object.entries(report.checks)) {
    if (check.detail === undefined) continue;
    try {
      JSON.stringify(check.detail);
    } catch {
      checks ??= copyChecks(report.checks);
      putOwn(checks, name, { ...check, detail: toJsonValue(check.detail, keepEveryKey) });
    }
  }
  return checks === undefined ? report : { ...report, checks };
}

/** The report without any check's error message or detail. */
function redacted(report: HealthReport): HealthReport {
  const checks: HealthReport["checks"] = {};
  for (const [name, { ok, kind, durationMs, lastRun }] of Object.entries(report.checks))
    putOwn(checks, name, { ok, kind, durationMs, lastRun });
  return { ...report, checks };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    // serialisable() already made every detail JSON; this is the last guard (a detail that changes between reads)
    status = 500;
    text = JSON.stringify({ error: `report failed: ${error instanceof Error ? error.message : String(error)}` });
  }
  return new Response(text, { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** A copy keeping every check as an own property (a check named `__proto__` included; spread would drop it). */
function copyChecks(checks: HealthReport["checks"]): HealthReport["checks"] {
  const copy: HealthReport["checks"] = {};
  for (const [name, check] of Object.entries(checks)) putOwn(copy, name, check);
  return copy;
}
