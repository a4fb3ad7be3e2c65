import type { RuntimeConfig } from "@aral/core";
import type { Notes } from "./notes.ts";
import { wholeSeconds } from "./quantities.ts";

/** Name of the container port the health server listens on; probes and scraping refer to it. */
export const HEALTH_PORT_NAME = "health";

export interface HttpProbe {
  httpGet: { path: string; port: string | number; scheme?: "HTTP" | "HTTPS" };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold?: number;
}

/**
 * Liveness (`/health/live`), readiness (`/health/ready`) and startup (`/health/live`) probes of the runtime's
 * health server: period and timeout from `lifecycle.healthcheck` (whole seconds, rounded up); the startup
 * probe may fail for `lifecycle.startupTimeout` before the liveness probe takes over.
 */
export function healthProbes(
  config: RuntimeConfig,
  notes: Notes,
): { livenessProbe: HttpProbe; readinessProbe: HttpProbe; startupProbe: HttpProbe } {
  const { interval, timeout } = config.lifecycle.healthcheck;
  const periodSeconds = wholeSeconds(interval);
  const timeoutSeconds = wholeSeconds(timeout);
  if (interval % 1000 !== 0)
    notes.approximated(
      "lifecycle.healthcheck.interval",
      `Kubernetes probes count whole seconds: ${interval} ms \u2192 periodSeconds ${periodSeconds}`,
    );
  if (timeout % 1000 !== 0)
    notes.approximated(
      "lifecycle.healthcheck.timeout",
      `Kubernetes probes count whole seconds: ${timeout} ms \u2192 timeoutSeconds ${timeoutSeconds}`,
    );
  const startupPeriod = Math.min(periodSeconds, 5);
  const startupFailures = Math.max(1, Math.ceil(config.lifecycle.startupTimeout / (startupPeriod * 1000)));
  if (config.lifecycle.startupTimeout % (startupPeriod * 1000) !== 0) {
    notes.approximated(
      "lifecycle.startupTimeout",
      `the startup probe allows ${startupFailures} \u00d7 ${startupPeriod} s = ${startupFailures * startupPeriod} s (whole probe periods) for ${config.lifecycle.startupTimeout} ms`,
    );
  }
  const get = (path: string) => ({ path, port: HEALTH_PORT_NAME });
  return {
    livenessProbe: { httpGet: get("/health/live"), periodSeconds, timeoutSeconds, failureThreshold: 3 },
    readinessProbe: {
      httpGet: get("/health/ready"),
      periodSeconds,
      timeoutSeconds,
      failureThreshold: 1,
      successThreshold: 1,
    },
    startupProbe: {
      httpGet: get("/health/live"),
      periodSeconds: startupPeriod,
      timeoutSeconds,
      failureThreshold: startupFailures,
    },
  };
}

/**
 * A fleet agent's `ready.url` as the kubelet can probe it: a readiness probe GET on the URL's path and port at the
 * pod's IP (the kubelet has no other address for the pod, so the URL's host is noted as replaced), scheme from the
 * URL; period from `lifecycle.healthcheck.interval`, 2 s per request as `aral up` allows. A URL with `{instance}`
 * (a different URL per instance) is not expressible in one pod template: undefined, noted.
 */
export function readyUrlProbe(url: string, config: RuntimeConfig, notes: Notes): HttpProbe | undefined {
  if (url.includes("{instance}")) {
    notes.unreachable(
      "(ready.url)",
      `${url} differs per instance ({instance}), and every pod of one template gets the same probe: no readiness probe (each pod has its own network: give the agent one port and path)`,
    );
    return undefined;
  }
  const parsed = new URL(url);
  const https = parsed.protocol === "https:";
  const port = parsed.port !== "" ? Number(parsed.port) : https ? 443 : 80;
  const path = `${parsed.pathname}${parsed.search}`;
  notes.approximatedOutside(
    "(ready.url)",
    `a readiness probe GET ${path} on port ${port} of the pod's IP (the kubelet's address for the pod, not ${parsed.hostname}): the agent must listen there, not only on a loopback address`,
  );
  return {
    httpGet: { path, port, scheme: https ? "HTTPS" : "HTTP" },
    periodSeconds: wholeSeconds(config.lifecycle.healthcheck.interval),
    timeoutSeconds: 2,
    failureThreshold: 1,
    successThreshold: 1,
  };
}
