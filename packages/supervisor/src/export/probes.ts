import type { RuntimeConfig } from "@aral/core";
import type { Notes } from "./notes.ts";
import { wholeSeconds } from "./quantities.ts";

/** Name of the container port the health server listens on; probes and scraping refer to it. */
export const HEALTH_PORT_NAME = "health";

export interface HttpProbe {
  httpGet: { path: string; port: string };
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
