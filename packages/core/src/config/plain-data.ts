import { ConfigError, type ConfigIssue } from "./errors.ts";
import { formatPath, type PathSegment } from "./path.ts";

const MAX_DEPTH = 256;

/**
 * A copy of `value` made of own, enumerable properties only, so nothing inherited - a polluted
 * Object.prototype, or an object built with `__proto__` in literal syntax - can reach validation.
 * Objects other than plain ones and arrays (Date, Map, class instances), cycles and absurd depth are issues.
 */
export function toPlainData(value: unknown, source?: string): unknown {
  const issues: ConfigIssue[] = [];
  const ancestors = new Set<object>();

  const copy = (current: unknown, path: PathSegment[]): unknown => {
    if (current === null || typeof current !== "object") return current;
    const fail = (message: string, expected: string) => {
      issues.push({ path: formatPath(path), value: current, expected, message });
      return undefined;
    };
    if (ancestors.has(current)) return fail("contains itself (a circular reference)", "plain data without cycles");
    if (path.length > MAX_DEPTH)
      return fail(`is nested more than ${MAX_DEPTH} levels deep`, `at most ${MAX_DEPTH} levels of nesting`);
    ancestors.add(current);
    try {
      if (Array.isArray(current)) return current.map((item, index) => copy(item, [...path, index]));
      const prototype = Object.getPrototypeOf(current) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        const kind = (current as { constructor?: { name?: unknown } }).constructor?.name;
        const what =
          typeof kind === "string" && kind !== ""
            ? `${/^[AEIOU]/i.test(kind) ? "an" : "a"} ${kind}`
            : "not a plain object";
        return fail(`is ${what}`, "plain data: an object, array, string, number, boolean or null");
      }
      const result: Record<string, unknown> = {};
      for (const key of Object.keys(current)) {
        const child = copy((current as Record<string, unknown>)[key], [...path, key]);
        Object.defineProperty(result, key, { value: child, enumerable: true, writable: true, configurable: true });
      }
      return result;
    } finally {
      ancestors.delete(current);
    }
  };

  const result = copy(value, []);
  if (issues.length > 0) throw new ConfigError("invalid", issues, source === undefined ? {} : { source });
  return result;
}
