import { envOverrides } from "./env-variables.ts";
import { formatPath, valueAt } from "./path.ts";
import type { RuntimeConfig } from "./schema.ts";

/**
 * The other way round from the ARAL_* overrides: settings written somewhere the agent cannot read (a fleet file's
 * inline `layers.runtime`) as the variables that carry them to the agent's runtime, which applies them over its own
 * configuration. Each variable of a field `written` sets (its aliases too, so an inherited ARAL_LOG_LEVEL cannot
 * contradict ARAL_LOGGING_LEVEL), with the value `config` holds for it (lists comma-separated). A value that would be
 * empty (an empty list) cannot travel, because an empty variable means unset: its path and value are in `empty`.
 */
export function settingsVariables(
  written: unknown,
  config: RuntimeConfig,
): { variables: Record<string, string>; empty: { path: string; value: unknown }[] } {
  const variables: Record<string, string> = {};
  const empty = new Map<string, unknown>();
  for (const override of envOverrides()) {
    const given = override.manifestOnly ? undefined : valueAt(written, override.path);
    if (given === undefined) continue;
    const value = valueAt(config, override.path);
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(",") : String(value);
    if (text === "") empty.set(formatPath(override.path), given);
    else variables[override.variable] = text;
  }
  return { variables, empty: [...empty].map(([path, value]) => ({ path, value })) };
}

/** The manifest path ARAL_MANIFEST names, or undefined when it is unset or blank. */
export function manifestPathFromEnvironment(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env["ARAL_MANIFEST"]?.trim() || undefined;
}
