import { REDACTED, type KeyRedactor, type RedactPathLevel } from "./redact.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 12;
const MAX_ARRAY_ITEMS = 1000;

/**
 * Turns anything a caller may log into plain JSON data without ever throwing: secrets redacted at
 * any depth, circular references as "[Circular]", BigInt as a decimal string, errors as pino's
 * `err` serializer shapes them, Map/Set as object/array, functions and symbols dropped, too-deep
 * nesting as "[Object]"/"[Array]", throwing getters as "[Unreadable: ...]". The redactor's paths start at `value`.
 */
export function toJsonValue(value: unknown, redact: KeyRedactor): JsonValue | undefined {
  return convert(value, redact, new Set<object>(), 0, redact.paths === undefined ? undefined : [redact.paths]);
}

/** The levels of the redacted paths that `value` sits at (undefined: none reaches it, the common case). */
type Levels = readonly RedactPathLevel[] | undefined;

function convert(
  value: unknown,
  redact: KeyRedactor,
  ancestors: Set<object>,
  depth: number,
  levels: Levels,
): JsonValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) return "[Circular]";
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? "[Array]" : "[Object]";
  ancestors.add(object);
  try {
    return convertObject(object, redact, ancestors, depth + 1, levels);
  } catch (error) {
    return `[Unreadable: ${describe(error)}]`;
  } finally {
    ancestors.delete(object);
  }
}

function convertObject(
  object: object,
  redact: KeyRedactor,
  ancestors: Set<object>,
  depth: number,
  levels: Levels,
): JsonValue | undefined {
  if (object instanceof Error) return convertError(object, redact, ancestors, depth, levels);
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  if (Array.isArray(object)) {
    const items = object
      .slice(0, MAX_ARRAY_ITEMS)
      .map((item, index) =>
        levels === undefined
          ? (convert(item, redact, ancestors, depth, undefined) ?? null)
          : itemAtPath(String(index), item, redact, ancestors, depth, levels),
      );
    if (object.length > MAX_ARRAY_ITEMS) items.push(`[\u2026 ${object.length - MAX_ARRAY_ITEMS} more]`);
    return items;
  }
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    return `[${object.constructor.name}(${object.byteLength} bytes)]`;
  }
  if (object instanceof Map) {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of object) putEntry(out, String(key), item, redact, ancestors, depth, levels);
    return out;
  }
  if (object instanceof Set) return convert([...object], redact, ancestors, depth - 1, levels);
  if (object instanceof URL) return object.href;
  if (object instanceof RegExp) return String(object);
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return convert(toJSON.call(object), redact, ancestors, depth, levels);
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(object))
    putEntry(out, key, readProperty(object, key), redact, ancestors, depth, levels);
  return out;
}

/** Shaped like pino's `err` serializer: type, message, stack, then own fields (code, path, ...), cause. */
function convertError(
  error: Error,
  redact: KeyRedactor,
  ancestors: Set<object>,
  depth: number,
  levels: Levels,
): JsonValue {
  const out: Record<string, JsonValue> = {
    type: readProperty(error, "name") === undefined ? error.constructor.name : String(readProperty(error, "name")),
    message: String(readProperty(error, "message") ?? ""),
  };
  const stack = readProperty(error, "stack");
  if (typeof stack === "string") out.stack = stack;
  for (const key of Object.keys(error)) {
    if (key === "cause" || key === "errors" || key in out) continue;
    putEntry(out, key, readProperty(error, key), redact, ancestors, depth, levels);
  }
  const cause = readProperty(error, "cause");
  if (cause !== undefined) putEntry(out, "cause", cause, redact, ancestors, depth, levels);
  const errors = readProperty(error, "errors");
  if (Array.isArray(errors)) putEntry(out, "aggregateErrors", errors, redact, ancestors, depth, levels);
  return out;
}

function putEntry(
  out: Record<string, JsonValue>,
  key: string,
  item: unknown,
  redact: KeyRedactor,
  ancestors: Set<object>,
  depth: number,
  levels: Levels,
): void {
  const next = levels === undefined ? undefined : levelsBelow(key, levels);
  if (next === REDACT || redact(key)) {
    Object.defineProperty(out, key, { value: REDACTED, enumerable: true, writable: true, configurable: true });
    return;
  }
  const converted = convert(item, redact, ancestors, depth, next);
  // defined, not assigned: `out["__proto__"] = value` sets the prototype (the field vanished, or a logged request
  // body's `{"__proto__": {...}}` became the prototype of the line's object)
  if (converted !== undefined)
    Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
}

function itemAtPath(
  index: string,
  item: unknown,
  redact: KeyRedactor,
  ancestors: Set<object>,
  depth: number,
  levels: readonly RedactPathLevel[],
): JsonValue {
  const next = levelsBelow(index, levels);
  return next === REDACT ? REDACTED : (convert(item, redact, ancestors, depth, next) ?? null);
}

const REDACT = Symbol("redact");

/** Where the paths go below `key` (by its name or `*`): REDACT when one of them ends there. */
function levelsBelow(key: string, levels: readonly RedactPathLevel[]): typeof REDACT | Levels {
  const lower = key.toLowerCase();
  let next: RedactPathLevel[] | undefined;
  for (const level of levels) {
    const named = level.get(lower);
    const any = level.get("*");
    if (named === true || any === true) return REDACT;
    if (named !== undefined) (next ??= []).push(named);
    if (any !== undefined) (next ??= []).push(any);
  }
  return next;
}

function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    return `[Unreadable: ${describe(error)}]`;
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "unknown error";
  }
}
