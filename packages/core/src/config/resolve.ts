import { attributeToEnv, overrideFromEnv, type EnvOverrideOptions } from "./env.ts";
import type { Manifest, ManifestInput, RuntimeConfig, RuntimeOptions } from "./schema.ts";
import { validateManifest, validateRuntimeOptions } from "./validate.ts";

const RUNTIME_BASE = ["layers", "runtime"] as const;

/** A value that is a manifest rather than bare runtime options: it has a manifest-only top-level key. */
export function isManifestShaped(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return ["aral", "layers", "$schema"].some((key) => Object.hasOwn(value, key));
}

/**
 * ARAL_* variables override manifest fields (mapping in config/README.md); the result is validated again,
 * so a bad variable is a ConfigError naming the field path and the variable.
 */
export function applyEnvOverrides(
  manifest: Manifest | ManifestInput,
  env: Readonly<Record<string, string | undefined>>,
  options: EnvOverrideOptions & { source?: string } = {},
): Manifest {
  const { value, applied } = overrideFromEnv(manifest, env, RUNTIME_BASE, options);
  try {
    return validateManifest(value, options.source);
  } catch (error) {
    throw attributeToEnv(error, applied);
  }
}

/**
 * The effective `layers.runtime` configuration: from a manifest (loaded or built in code), from runtime
 * options given directly (`{ resources: { memory: { limit: "100Mi" } } }`), or from nothing - then the
 * ARAL_* overrides in `env`, then every default. Issue paths follow the input: "layers.runtime...." for a
 * manifest, "resources...." for bare options.
 */
export function resolveRuntimeConfig(
  input?: Manifest | ManifestInput | RuntimeOptions,
  env: Readonly<Record<string, string | undefined>> = {},
  options: EnvOverrideOptions & { source?: string } = {},
): RuntimeConfig {
  if (isManifestShaped(input)) return applyEnvOverrides(input as ManifestInput, env, options).layers.runtime;
  const { value, applied } = overrideFromEnv(input === undefined ? {} : input, env, [], options);
  try {
    return validateRuntimeOptions(value, options.source);
  } catch (error) {
    throw attributeToEnv(error, applied);
  }
}
