import { QuantityError } from "../resources/quantity.ts";
import { describeValue } from "./describe-value.ts";
import type { ConfigIssue } from "./errors.ts";
import type { Field, Report } from "./fields.ts";
import { quantityValue } from "./fields.ts";
import { formatPath, type PathSegment } from "./path.ts";
import { closest } from "./suggest.ts";

const RUNTIME_KEYS = ["platform", "version", "resources", "lifecycle", "errorHandling", "logging", "health", "tasks"];

function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Checks `input` (plain data, see plain-data.ts) against `field` and returns it with every default filled
 * in; every problem is pushed to `issues` with its full path, the value, and what was expected.
 */
export function checkField(
  field: Field,
  input: unknown,
  path: PathSegment[],
  prefix: readonly PathSegment[],
  issues: ConfigIssue[],
): unknown {
  const add = (at: readonly PathSegment[], value: unknown, message: string, expected = field.expected) =>
    issues.push({ path: formatPath([...prefix, ...at]), value, expected, message });

  if (input === undefined) {
    if (field.default !== undefined) return checkField(field, structuredCloneData(field.default), path, prefix, issues);
    if (!field.optional) add(path, input, "is required");
    return undefined;
  }
  const before = issues.length;
  const wrongType = (wanted: string) => add(path, input, `must be ${wanted}, not ${typeOfValue(input)}`);
  let output: unknown = input;

  switch (field.kind) {
    case "object": {
      if (!isObject(input)) {
        wrongType("an object");
        return undefined;
      }
      const result: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(field.fields)) {
        const value = Object.hasOwn(input, key) ? input[key] : undefined;
        const checked = checkField(child, value, [...path, key], prefix, issues);
        if (checked !== undefined) result[key] = checked;
      }
      for (const key of Object.keys(input)) {
        if (Object.hasOwn(field.fields, key)) continue;
        const known = Object.keys(field.fields);
        const suggestion = suggestKey(key, known, path);
        add(
          [...path, key],
          input[key],
          `unknown key ${JSON.stringify(key)}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
          known.length === 0 ? "no keys" : `one of the known keys: ${known.join(", ")}`,
        );
      }
      output = result;
      break;
    }
    case "number": {
      if (typeof input !== "number" || !Number.isFinite(input)) {
        if (typeof input === "number") add(path, input, `must be a finite number, not ${String(input)}`);
        else wrongType("a number");
        return undefined;
      }
      if (field.integer && !Number.isInteger(input)) add(path, input, "must be a whole number");
      else if (field.minimum !== undefined && input < field.minimum)
        add(path, input, `must be at least ${field.minimum}`);
      else if (field.exclusiveMinimum !== undefined && input <= field.exclusiveMinimum)
        add(path, input, `must be more than ${field.exclusiveMinimum}`);
      else if (field.maximum !== undefined && input > field.maximum)
        add(path, input, `must be at most ${field.maximum}`);
      else if (field.exclusiveMaximum !== undefined && input >= field.exclusiveMaximum)
        add(path, input, `must be less than ${field.exclusiveMaximum}`);
      break;
    }
    case "string": {
      if (typeof input !== "string") {
        wrongType("a string");
        return undefined;
      }
      if (field.minLength !== undefined && input.length < field.minLength)
        add(
          path,
          input,
          field.minLength === 1 ? "must not be empty" : `must be at least ${field.minLength} characters`,
        );
      else if (field.pattern && !field.pattern.test(input))
        add(path, input, field.patternMessage ?? `must match ${String(field.pattern)}`);
      break;
    }
    case "boolean": {
      if (typeof input !== "boolean") {
        wrongType("a boolean");
        return undefined;
      }
      break;
    }
    case "enum": {
      if (typeof input !== "string" || !field.values.includes(input)) {
        add(path, input, `must be one of ${field.values.map((option) => describeValue(option)).join(", ")}`);
        return undefined;
      }
      break;
    }
    case "toggle": {
      if (typeof input === "boolean") break;
      if (input !== "enabled" && input !== "disabled") {
        add(
          path,
          input,
          typeof input === "string"
            ? `must be ${field.expected}`
            : `must be ${field.expected}, not ${typeOfValue(input)}`,
        );
        return undefined;
      }
      output = input === "enabled";
      break;
    }
    case "quantity": {
      if (typeof input !== "string" && typeof input !== "number") {
        wrongType(field.expected);
        return undefined;
      }
      let parsed: number;
      try {
        parsed = quantityValue(field.quantity, input);
      } catch (error) {
        add(path, input, `invalid quantity: ${error instanceof QuantityError ? error.reason : String(error)}`);
        return undefined;
      }
      if (field.positive && parsed === 0) add(path, input, "must be more than 0");
      break;
    }
    case "array": {
      if (!Array.isArray(input)) {
        wrongType("an array");
        return undefined;
      }
      output = input.map((item, index) => checkField(field.element, item, [...path, index], prefix, issues));
      break;
    }
  }
  if (issues.length > before) return undefined;
  if (field.check) {
    const report: Report = (issue) =>
      add([...path, ...(issue.path ?? [])], issue.value, issue.message, issue.expected ?? field.expected);
    (field.check as (value: unknown, report: Report) => void)(output, report);
  }
  return output;
}

/** Defaults are shared by every validation: hand each a copy, so a caller mutating its config changes no other. */
function structuredCloneData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structuredCloneData);
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, structuredCloneData(child)]));
  return value;
}

/** "did you mean" for a misspelt key, or for runtime options written at the manifest root. */
function suggestKey(key: string, known: readonly string[], parentPath: readonly PathSegment[]): string | undefined {
  const near = closest(key, known);
  if (near) return JSON.stringify(near);
  if (parentPath.length === 0 && known.includes("layers") && RUNTIME_KEYS.includes(key)) return `layers.runtime.${key}`;
  return undefined;
}

/** The field that validates the value at `path`, or undefined when the path leaves the schema. */
export function fieldAt(root: Field, path: readonly PathSegment[]): Field | undefined {
  let current: Field | undefined = root;
  for (const segment of path) {
    if (!current) return undefined;
    if (typeof segment === "number") current = current.kind === "array" ? current.element : undefined;
    else
      current =
        current.kind === "object" && Object.hasOwn(current.fields, segment) ? current.fields[segment] : undefined;
  }
  return current;
}
