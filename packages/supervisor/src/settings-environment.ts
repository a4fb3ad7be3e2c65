import { ENV_OVERRIDES } from "@aral/core/config";
import type { RuntimeConfig } from "@aral/core";

/**
 * Settings an operator wrote inline (a fleet file's `agents[].layers.runtime`), as the ARAL_* variables the agent's
 * runtime applies over its own configuration: each variable of a field the operator set, with the validated value
 * (lists comma-separated). A field's aliases (ARAL_LOG_LEVEL beside ARAL_LOGGING_LEVEL) get the same value, so one
 * inherited from aral's environment cannot contradict it. There is no file to point ARAL_MANIFEST at; the variables reach the agent under `aral up`, in a
 * pod and in a systemd unit alike, and a field left out leaves the agent's own setting alone.
 */
export function settingsEnvironment(written: unknown, config: RuntimeConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const override of ENV_OVERRIDES) {
    if (override.manifestOnly || valueAt(written, override.path) === undefined) continue;
    const value = valueAt(config, override.path);
    if (value === undefined) continue;
    env[override.variable] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return env;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
