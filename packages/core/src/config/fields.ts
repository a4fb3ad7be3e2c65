import { parseBandwidth, parseBytes, parseCpu } from "../resources/quantity.ts";

/**
 * The building blocks of the manifest schema: plain descriptions that one small walker validates
 * (validate.ts), turns into the published JSON Schema (json-schema.ts) and into the ARAL_* table
 * (env-variables.ts). Each field carries, in words, what it accepts (`expected`) for error messages.
 */

/** Reports one problem found by a field's extra rule; `path` is relative to the value checked. */
export type Report = (issue: {
  path?: readonly (string | number)[];
  value: unknown;
  message: string;
  expected?: string;
}) => void;

interface Common {
  description?: string;
  /** What the field accepts, in words ("an integer from 1 to 10"). */
  expected: string;
  /** The value used when the field is absent, as written (validated like any input). */
  default?: unknown;
  /** May be absent (no default). Fields with neither are required. */
  optional?: boolean;
  /** A rule beyond the type, run once the value passed its type check. */
  check?: (value: never, report: Report) => void;
}

export interface ObjectField extends Common {
  kind: "object";
  fields: Record<string, Field>;
}
export interface NumberField extends Common {
  kind: "number";
  integer?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}
export interface StringField extends Common {
  kind: "string";
  minLength?: number;
  pattern?: RegExp;
  patternMessage?: string;
}
export interface BooleanField extends Common {
  kind: "boolean";
}
export interface EnumField extends Common {
  kind: "enum";
  values: readonly string[];
}
/** "enabled" / "disabled" or a boolean; resolves to a boolean. */
export interface ToggleField extends Common {
  kind: "toggle";
}
/** A resource quantity kept as written (string or number), checked with the resources area's parser. */
export interface QuantityField extends Common {
  kind: "quantity";
  quantity: QuantityKind;
  positive: boolean;
  examples: ReadonlyArray<string | number>;
}
export interface ArrayField extends Common {
  kind: "array";
  element: Field;
}

export type Field =
  | ObjectField
  | NumberField
  | StringField
  | BooleanField
  | EnumField
  | ToggleField
  | QuantityField
  | ArrayField;

type Extra = Partial<Pick<Common, "description" | "default" | "optional">>;

/** The same field with a description, a default or marked optional. */
export function doc<F extends Field>(field: F, description: string, extra: Omit<Extra, "description"> = {}): F {
  return { ...field, description, ...extra };
}

export function optional<F extends Field>(field: F): F {
  return { ...field, optional: true };
}

export function withDefault<F extends Field>(field: F, value: unknown): F {
  return { ...field, default: value };
}

/** A closed object: unknown keys are issues. */
export function object(fields: Record<string, Field>, description: string, expected = "an object"): ObjectField {
  return { kind: "object", fields, description, expected };
}

/** setTimeout's ceiling: a larger delay silently fires after 1 ms on every runtime. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Whole milliseconds, `min`..2^31-1. */
export function milliseconds(min = 1): NumberField {
  return {
    kind: "number",
    integer: true,
    minimum: min,
    maximum: MAX_TIMER_MS,
    expected: `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}`,
  };
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): NumberField {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
  return { kind: "number", integer: true, minimum: min, maximum: max, expected };
}

/** A fraction such as 0.9 (90 % of the limit). */
export function ratio(options: { allowZero: boolean; allowOne: boolean }): NumberField {
  const low = options.allowZero ? "at least 0" : "more than 0";
  const high = options.allowOne ? "at most 1" : "less than 1";
  return {
    kind: "number",
    ...(options.allowZero ? { minimum: 0 } : { exclusiveMinimum: 0 }),
    ...(options.allowOne ? { maximum: 1 } : { exclusiveMaximum: 1 }),
    expected: `a number ${low} and ${high}`,
  };
}

export function oneOf(
  values: readonly string[],
  expected = `one of ${values.map((value) => JSON.stringify(value)).join(", ")}`,
): EnumField {
  return { kind: "enum", values, expected };
}

export function toggle(): ToggleField {
  return { kind: "toggle", expected: '"enabled", "disabled", true or false' };
}

export function boolean(): BooleanField {
  return { kind: "boolean", expected: "a boolean" };
}

export function string(
  options: { minLength?: number; pattern?: RegExp; patternMessage?: string; expected?: string } = {},
): StringField {
  const { expected, ...rest } = options;
  return { kind: "string", ...rest, expected: expected ?? (options.minLength ? "a non-empty string" : "a string") };
}

export function array(
  element: Field,
  expected: string,
  check?: (value: unknown[], report: Report) => void,
): ArrayField {
  return { kind: "array", element, expected, ...(check ? { check } : {}) };
}

export type QuantityKind = "cpu" | "bytes" | "bandwidth";

const PARSERS: Record<QuantityKind, (input: string | number) => number> = {
  cpu: parseCpu,
  bytes: parseBytes,
  bandwidth: parseBandwidth,
};

const QUANTITY_EXAMPLES: Record<QuantityKind, Array<string | number>> = {
  cpu: ["500m", "2000m", "2", 1.5],
  bytes: ["512Mi", "2Gi", "10Gi", "1G"],
  bandwidth: ["100Mbps", "1Gbps", "500kbps"],
};

const QUANTITY_EXPECTATIONS: Record<QuantityKind, string> = {
  cpu: 'a CPU quantity such as "500m", "2" or 1.5',
  bytes: 'a byte quantity such as "512Mi", "2Gi" or "10G"',
  bandwidth: 'a bandwidth such as "100Mbps" or "1Gbps"',
};

/** `2GB` or `-1Gi` fail with the parser's reason; `positive` also rejects 0. */
export function quantity(kind: QuantityKind, options: { positive?: boolean } = {}): QuantityField {
  const expected = QUANTITY_EXPECTATIONS[kind] + (options.positive ? ", more than 0" : "");
  return {
    kind: "quantity",
    quantity: kind,
    positive: options.positive ?? false,
    examples: QUANTITY_EXAMPLES[kind],
    expected,
  };
}

/** The numeric value of a quantity; throws the resources area's QuantityError when it is malformed. */
export function quantityValue(kind: QuantityKind, value: string | number): number {
  return PARSERS[kind](value);
}

/** A directory path: non-empty, no NUL byte. */
export function directory(): StringField {
  return {
    kind: "string",
    expected: "a non-empty directory path",
    check: (value: string, report) => {
      if (value.trim() === "" || value.includes("\0"))
        report({ value, message: "must be a non-empty path without NUL bytes" });
    },
  };
}
