import { ConfigError, type ConfigIssue } from "./errors.ts";
import { RESERVED_ENV_PREFIXES, RESERVED_ENV_VARIABLES, envOverrides, type EnvOverride } from "./env-variables.ts";
import { formatPath, type PathSegment } from "./path.ts";
import type { Field } from "./fields.ts";
import { closest } from "./suggest.ts";

export interface EnvOverrideOptions {
  /** More ARAL_* variables to leave alone, beyond RESERVED_ENV_VARIABLES. */
  reserved?: readonly string[];
}

/** A field value replaced by an environment variable. */
export interface AppliedOverride {
  variable: string;
  /** Full path inside the object that was overridden ("layers.runtime.resources.memory.limit"). */
  path: string;
  text: string;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Text -> the type the field's schema wants; text that does not fit stays text, so validation names it. */
export function coerceEnvValue(schema: Field, text: string): unknown {
  const trimmed = text.trim();
  switch (schema.kind) {
    case "number":
      return NUMBER_TEXT.test(trimmed) ? Number(trimmed) : text;
    case "boolean":
      return parseBoolean(trimmed) ?? text;
    case "toggle":
      return parseBoolean(trimmed) ?? trimmed;
    case "array":
      return trimmed === "" ? [] : trimmed.split(",").map((part) => coerceEnvValue(schema.element, part.trim()));
    default:
      return trimmed; // strings, enums and quantities (which stay as written)
  }
}

function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  return undefined;
}

function isReserved(variable: string, extra: readonly string[]): boolean {
  return (
    RESERVED_ENV_VARIABLES.includes(variable) ||
    extra.includes(variable) ||
    RESERVED_ENV_PREFIXES.some((prefix) => variable.startsWith(prefix))
  );
}

/** An unknown ARAL_* name that looks like a field: same first word as a field's variable, or a near-miss spelling. */
function looksLikeField(variable: string): string | undefined | true {
  const knownNames = envOverrides().map((entry) => entry.variable);
  const suggestion = closest(variable, knownNames);
  if (suggestion) return suggestion;
  const knownHeads = new Set([...knownNames.map((name) => name.split("_")[1]!), "ERROR", "VERSION"]);
  return knownHeads.has(variable.split("_")[1] ?? "") ? true : undefined;
}

/** Copy-on-write set: only the objects along `path` are copied; a non-object in the way is left for validation to report. */
function setAt(root: unknown, path: readonly PathSegment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const base = root === undefined ? {} : root;
  if (base === null || typeof base !== "object" || Array.isArray(base)) return root;
  const [head, ...rest] = path;
  const key = String(head);
  const copy: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const child = Object.hasOwn(base, key) ? (base as Record<string, unknown>)[key] : undefined;
  Object.defineProperty(copy, key, {
    value: setAt(child, rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/**
 * Applies ARAL_* variables to `input` (a manifest when `base` is ["layers", "runtime"], runtime options when
 * it is []). Returns the new input (unvalidated) and what was applied. Unknown field-like variables throw.
 */
export function overrideFromEnv(
  input: unknown,
  env: Readonly<Record<string, string | undefined>>,
  base: readonly PathSegment[],
  options: EnvOverrideOptions = {},
): { value: unknown; applied: AppliedOverride[] } {
  const reserved = options.reserved ?? [];
  const isManifest = base.length > 0;
  const unknown: ConfigIssue[] = [];
  const byPath = new Map<string, { entry: EnvOverride; text: string }>();
  let value = input;
  const applied: AppliedOverride[] = [];

  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith("ARAL_") || isReserved(variable, reserved)) continue;
    const text = env[variable];
    if (text === undefined || text === "") continue; // empty means unset, as in most shells and compose files
    const entry = envOverrides().find((candidate) => candidate.variable === variable);
    if (!entry) {
      const resemblance = looksLikeField(variable);
      if (resemblance !== undefined) {
        unknown.push({
          path: "",
          value: text,
          variable,
          expected: "a known ARAL_* field variable (see the config README)",
          message: `unknown configuration variable ${variable}${typeof resemblance === "string" ? ` (did you mean ${resemblance}?)` : ""}`,
        });
      }
      continue;
    }
    if (entry.manifestOnly && !isManifest) continue;
    const path = entry.manifestOnly ? entry.path : [...base, ...entry.path];
    const key = formatPath(path);
    const previous = byPath.get(key);
    if (previous) {
      if (previous.text.trim() !== text.trim()) {
        unknown.push({
          path: key,
          value: text,
          variable,
          expected: `the same value as ${previous.entry.variable} (${JSON.stringify(previous.text)}), or only one of them`,
          message: `${variable} and ${previous.entry.variable} set the same field to different values`,
        });
      }
      continue;
    }
    byPath.set(key, { entry, text });
    value = setAt(value, path, coerceEnvValue(entry.schema, text));
    applied.push({ variable, path: key, text });
  }
  if (unknown.length > 0) throw new ConfigError("invalid", unknown, { source: "environment" });
  return { value, applied };
}

/** Marks issues caused by an environment variable with that variable and its text. */
export function attributeToEnv(error: unknown, applied: readonly AppliedOverride[]): unknown {
  if (!(error instanceof ConfigError) || applied.length === 0) return error;
  let touched = false;
  const issues = error.issues.map((issue) => {
    const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf(".")));
    // exact field first; then a sibling, for cross-field rules (request vs limit, backoffMs vs maxBackoffMs)
    const override =
      applied.find((candidate) => issue.path === candidate.path || issue.path.startsWith(`${candidate.path}[`)) ??
      applied.find((candidate) => parentOf(issue.path) === parentOf(candidate.path));
    if (!override) return issue;
    touched = true;
    return { ...issue, variable: override.variable };
  });
  if (!touched) return error;
  return new ConfigError(error.code, issues, {
    ...(error.source === undefined ? {} : { source: error.source }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
