import type { Platform } from "@aral/core";
import { fixedHealthPort, type FleetAgentSpec } from "./fleet-file.ts";

/** How readiness of an agent's instance is decided, in words for logs: its own URL, the runtime's /health/ready, a line, or staying up. */
export type ReadinessProbe =
  | { kind: "url"; url: string }
  | { kind: "line"; text: string }
  | { kind: "startup"; ms: number };

/** `ready.url`, else the agent runtime's own /health/ready when it serves health on a fixed port, else `ready.line`, else staying up for `ready.startupMs`. */
export function readinessProbe(agent: FleetAgentSpec, instance: number): ReadinessProbe {
  if (agent.ready.url !== undefined)
    return { kind: "url", url: agent.ready.url.replaceAll("{instance}", String(instance)) };
  const port = fixedHealthPort(agent.config);
  if (port !== undefined) {
    const { hostname } = agent.config.health;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    return { kind: "url", url: `http://${host}:${port}/health/ready` };
  }
  if (agent.ready.line !== undefined) return { kind: "line", text: agent.ready.line };
  return { kind: "startup", ms: agent.ready.startupMs };
}

const POLL_MS = 100;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Resolves true once the probe passes, false when `signal` aborts (timeout, the instance ended).
 * `lineSeen` is resolved by the caller when the instance printed the awaited line.
 */
export async function waitReady(
  platform: Pick<Platform, "net">,
  probe: ReadinessProbe,
  lineSeen: Promise<void>,
  signal: AbortSignal,
): Promise<boolean> {
  switch (probe.kind) {
    case "line":
      await Promise.race([
        lineSeen,
        new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
      ]);
      return !signal.aborted;
    case "startup":
      await sleep(probe.ms, signal);
      return !signal.aborted;
    case "url":
      while (!signal.aborted) {
        try {
          const response = await platform.net.fetch(probe.url, {
            signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]),
          });
          await response.body?.cancel();
          if (response.ok) return true;
        } catch {
          // not listening yet
        }
        await sleep(POLL_MS, signal);
      }
      return false;
  }
}
