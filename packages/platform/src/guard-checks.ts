/**
 * The argument checks behind guardPlatform. Each returns the TypeError to raise, or undefined when
 * the argument is fine: callers throw it (sync methods) or reject with it (async ones). Nothing is
 * allocated unless the argument is wrong.
 *
 * Messages read `<method>: <argument> must be <expectation>, got <what>`, where <what> is the type
 * when the type is wrong and the value when only the value is.
 */

type Expected = "string" | "number" | "boolean" | "function" | "object";

export function misuse(
  method: string,
  argument: string,
  expectation: string,
  value: unknown,
  expected: Expected,
): TypeError {
  return new TypeError(`${method}: ${argument} must be ${expectation}, got ${describe(value, expected)}`);
}

function describe(value: unknown, expected: Expected): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  if (type === expected && type === "string") return quote(value as string);
  if (type === expected && type === "number") return String(value);
  if (type === "object") {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" && name !== "Object" ? name : "an object";
  }
  return type;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}\u2026` : text);
}

const PATH = "a non-empty string without NUL characters";

/** A file system path, a command or a working directory: a non-empty string without NUL. */
export function pathError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (typeof value === "string" && value !== "" && !value.includes("\0")) return undefined;
  return misuse(method, argument, PATH, value, "string");
}

/** An options bag: absent, or a plain object (not null, not an array). */
export function optionsError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (value === undefined || (typeof value === "object" && value !== null && !Array.isArray(value))) return undefined;
  return misuse(method, argument, "an object", value, "object");
}

export function optionalBooleanError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  return misuse(method, argument, "a boolean", value, "boolean");
}

export function functionError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (typeof value === "function") return undefined;
  return misuse(method, argument, "a function", value, "function");
}

/** Absent, or an integer in [min, max]; `range` spells it as callers know it ("0 to 0o7777"). */
export function optionalIntegerError(
  method: string,
  argument: string,
  value: unknown,
  min: number,
  max: number,
  range: string,
): TypeError | undefined {
  if (value === undefined || (Number.isInteger(value) && (value as number) >= min && (value as number) <= max))
    return undefined;
  return misuse(method, argument, `an integer from ${range}`, value, "number");
}

/** A string out of a fixed set (signal names, stdio modes). */
export function choiceError(
  method: string,
  argument: string,
  value: unknown,
  choices: ReadonlySet<string>,
  spelled: string,
): TypeError | undefined {
  if (typeof value === "string" && choices.has(value)) return undefined;
  return misuse(method, argument, `one of ${spelled}`, value, "string");
}

/** As choiceError; absent is fine where a default applies. */
export function optionalChoiceError(
  method: string,
  argument: string,
  value: unknown,
  choices: ReadonlySet<string>,
  spelled: string,
): TypeError | undefined {
  return value === undefined ? undefined : choiceError(method, argument, value, choices, spelled);
}

/** Any object behaving like an AbortSignal (duck-typed, so a signal from another realm passes too). */
export function optionalAbortSignalError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (value === undefined) return undefined;
  const signal = value as { aborted?: unknown; addEventListener?: unknown } | null;
  if (
    typeof value === "object" &&
    signal !== null &&
    typeof signal.aborted === "boolean" &&
    typeof signal.addEventListener === "function"
  )
    return undefined;
  return misuse(method, argument, "an AbortSignal", value, "object");
}

const ENV_KEY = "a non-empty string without '=' or NUL characters";
const ENV_VALUE = "a string without NUL characters";

export function envKeyError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (typeof value === "string" && value !== "" && !value.includes("=") && !value.includes("\0")) return undefined;
  return misuse(method, argument, ENV_KEY, value, "string");
}

export function envValueError(method: string, argument: string, value: unknown): TypeError | undefined {
  if (typeof value === "string" && !value.includes("\0")) return undefined;
  return misuse(method, argument, ENV_VALUE, value, "string");
}

/** Spelled list of choices for messages: `"a", "b", "c"`. */
export function spell(choices: Iterable<string>): string {
  return [...choices].map((choice) => JSON.stringify(choice)).join(", ");
}
