import { checkField } from "./check.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import type { Field } from "./fields.ts";
import type { PathSegment } from "./path.ts";
import { toPlainData } from "./plain-data.ts";
import { manifestSchema, runtimeSchema, type Manifest, type RuntimeConfig } from "./schema.ts";

function validate(schema: Field, value: unknown, source: string | undefined, prefix: readonly PathSegment[]): unknown {
  const plain = toPlainData(value, source);
  const issues: ConfigIssue[] = [];
  const result = checkField(schema, plain, [], prefix, issues);
  if (issues.length === 0) return result;
  throw new ConfigError("invalid", issues, source === undefined ? {} : { source });
}

/**
 * Checks a whole manifest (already parsed from JSON/JSONC/YAML, or built in code) and returns it with
 * every default filled in. Throws ConfigError (code "invalid") listing every problem with its path.
 */
export function validateManifest(value: unknown, source?: string): Manifest {
  return validate(manifestSchema, value, source, []) as Manifest;
}

/**
 * Checks `layers.runtime` options given directly (`new AralRuntime({ resources: ... })`) and fills the
 * defaults. Issue paths are relative to the options ("resources.memory.limit") unless a prefix is given.
 */
export function validateRuntimeOptions(
  value: unknown,
  source?: string,
  prefix: readonly PathSegment[] = [],
): RuntimeConfig {
  return validate(runtimeSchema, value, source, prefix) as RuntimeConfig;
}
