import type { z } from "zod";
import { ConfigError } from "./errors.ts";
import { toConfigIssues } from "./issues.ts";
import type { PathSegment } from "./path.ts";
import { toPlainData } from "./plain-data.ts";
import { manifestSchema, runtimeSchema, type Manifest, type RuntimeConfig } from "./schema.ts";

function validate<S extends z.ZodType>(schema: S, value: unknown, source: string | undefined, prefix: readonly PathSegment[]): z.output<S> {
  const plain = toPlainData(value, source);
  const result = schema.safeParse(plain);
  if (result.success) return result.data;
  throw new ConfigError("invalid", toConfigIssues(schema, plain, result.error.issues, prefix), source === undefined ? {} : { source });
}

/**
 * Checks a whole manifest (already parsed from JSON/JSONC/YAML, or built in code) and returns it with
 * every default filled in. Throws ConfigError (code "invalid") listing every problem with its path.
 */
export function validateManifest(value: unknown, source?: string): Manifest {
  return validate(manifestSchema, value, source, []);
}

/**
 * Checks `layers.runtime` options given directly (`new AralRuntime({ resources: … })`) and fills the
 * defaults. Issue paths are relative to the options ("resources.memory.limit") unless a prefix is given.
 */
export function validateRuntimeOptions(value: unknown, source?: string, prefix: readonly PathSegment[] = []): RuntimeConfig {
  return validate(runtimeSchema, value, source, prefix);
}
