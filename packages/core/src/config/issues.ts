import type { z } from "zod";
import { describeValue } from "./describe-value.ts";
import type { ConfigIssue } from "./errors.ts";
import { expectations } from "./expectations.ts";
import { formatPath, valueAt, type PathSegment } from "./path.ts";
import { layers, objectShape, schemaAt } from "./schema-walk.ts";
import { closest } from "./suggest.ts";

type ZodIssue = z.core.$ZodIssue;

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
};

function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function registeredExpectation(root: z.core.$ZodType, path: readonly PathSegment[]): string | undefined {
  const schema = schemaAt(root, path);
  if (!schema) return undefined;
  for (const layer of layers(schema)) {
    const entry = expectations.get(layer);
    if (entry) return entry.expected;
  }
  return undefined;
}

/** Turns zod's issues into ConfigIssues: dotted paths, the offending value, what was expected, one issue per unknown key. */
export function toConfigIssues(root: z.core.$ZodType, input: unknown, zodIssues: readonly ZodIssue[], prefix: readonly PathSegment[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
    const value = valueAt(input, path);
    const full = (segments: readonly PathSegment[]) => formatPath([...prefix, ...segments]);
    const expectedHere = () => registeredExpectation(root, path);

    switch (issue.code) {
      case "unrecognized_keys": {
        const known = Object.keys(objectShape(schemaAt(root, path) ?? root) ?? {});
        const knownText = known.length === 0 ? "no keys" : `one of the known keys: ${known.join(", ")}`;
        for (const key of issue.keys) {
          const suggestion = suggestKey(key, known, path);
          issues.push({
            path: full([...path, key]),
            value: valueAt(input, [...path, key]),
            expected: knownText,
            message: `unknown key ${JSON.stringify(key)}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
          });
        }
        break;
      }
      case "invalid_type": {
        const expected = expectedHere() ?? TYPE_WORDS[issue.expected] ?? issue.expected;
        const message =
          value === undefined
            ? "is required"
            : issue.expected === "int"
              ? "must be a whole number"
              : typeof value === "number" && !Number.isFinite(value)
                ? `must be a finite number, not ${String(value)}`
                : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${typeOfValue(value)}`;
        issues.push({ path: full(path), value, expected, message });
        break;
      }
      case "too_small":
      case "too_big": {
        const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
        const words = issue.code === "too_small" ? (issue.inclusive ? "at least" : "more than") : issue.inclusive ? "at most" : "less than";
        const unit = issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : "";
        issues.push({ path: full(path), value, expected: expectedHere() ?? `${words} ${String(bound)}${unit}`, message: `must be ${words} ${String(bound)}${unit}` });
        break;
      }
      case "invalid_value": {
        if (value === undefined) {
          issues.push({ path: full(path), value, expected: expectedHere() ?? "a value", message: "is required" });
          break;
        }
        const options = issue.values.map((option) => describeValue(option)).join(", ");
        issues.push({ path: full(path), value, expected: expectedHere() ?? `one of ${options}`, message: `must be one of ${options}` });
        break;
      }
      case "invalid_union": {
        const expected = expectedHere() ?? "a value of another type";
        issues.push({ path: full(path), value, expected, message: `must be ${expected}, not ${typeOfValue(value)}` });
        break;
      }
      case "custom": {
        const params = (issue as { params?: { expected?: unknown } }).params;
        const expected = typeof params?.expected === "string" ? params.expected : (expectedHere() ?? "a valid value");
        issues.push({ path: full(path), value, expected, message: issue.message });
        break;
      }
      default: {
        issues.push({ path: full(path), value, expected: expectedHere() ?? "a valid value", message: issue.message });
      }
    }
  }
  return issues;
}

/** "did you mean" for a misspelt key, or for runtime options written at the manifest root. */
function suggestKey(key: string, known: readonly string[], parentPath: readonly PathSegment[]): string | undefined {
  const near = closest(key, known);
  if (near) return JSON.stringify(near);
  const runtimeKeys = ["platform", "version", "resources", "lifecycle", "errorHandling", "logging", "health", "tasks"];
  if (parentPath.length === 0 && known.includes("layers") && runtimeKeys.includes(key)) return `layers.runtime.${key}`;
  return undefined;
}
