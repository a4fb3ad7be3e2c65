import { z } from "zod";
import { QuantityError, parseBandwidth, parseBytes, parseCpu } from "../resources/quantity.ts";
import { expectations } from "./expectations.ts";

/** setTimeout's ceiling: a larger delay silently fires after 1 ms on every runtime. */
export const MAX_TIMER_MS = 2_147_483_647;

function expecting<T extends z.ZodType>(schema: T, expected: string): T {
  expectations.add(schema, { expected });
  return schema;
}

/** Whole milliseconds, `min`..2^31-1. */
export function milliseconds(min = 1) {
  return expecting(
    z.number().int().min(min).max(MAX_TIMER_MS),
    `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}`,
  );
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
  return expecting(z.number().int().min(min).max(max), expected);
}

/** A fraction such as 0.9 (90 % of the limit). */
export function ratio(options: { allowZero: boolean; allowOne: boolean }) {
  let schema = options.allowZero ? z.number().min(0) : z.number().gt(0);
  schema = options.allowOne ? schema.max(1) : schema.lt(1);
  const low = options.allowZero ? "0" : "more than 0";
  const high = options.allowOne ? "at most 1" : "less than 1";
  return expecting(schema, `a number ${low} and ${high}`);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return expecting(z.enum(values), `one of ${values.map((value) => JSON.stringify(value)).join(", ")}`);
}

/** "enabled" / "disabled" or a boolean; resolves to a boolean. */
export function toggle() {
  return expecting(
    z.union([z.enum(["enabled", "disabled"]), z.boolean()]).transform((value) => value === true || value === "enabled"),
    '"enabled", "disabled", true or false',
  );
}

type QuantityKind = "cpu" | "bytes" | "bandwidth";

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

/**
 * A resource quantity kept exactly as the user wrote it (string or number) but checked with the
 * resources area's parser, so `2GB` or `-1Gi` fail here with the parser's reason.
 */
export function quantity(kind: QuantityKind, options: { positive?: boolean } = {}) {
  const expected = QUANTITY_EXPECTATIONS[kind] + (options.positive ? ", more than 0" : "");
  const schema = z.union([z.string(), z.number()]).meta({ examples: QUANTITY_EXAMPLES[kind] }).superRefine((value, context) => {
    let parsed: number;
    try {
      parsed = PARSERS[kind](value);
    } catch (error) {
      const reason = error instanceof QuantityError ? error.reason : String(error);
      context.addIssue({ code: "custom", message: `invalid quantity: ${reason}`, input: value, params: { expected } });
      return;
    }
    if (options.positive && parsed === 0) {
      context.addIssue({ code: "custom", message: "must be more than 0", input: value, params: { expected } });
    }
  });
  return expecting(schema, expected);
}

/** The numeric value of a quantity that already passed `quantity()`. */
export function quantityValue(kind: QuantityKind, value: string | number): number {
  return PARSERS[kind](value);
}

/** A directory path: non-empty, no NUL byte. */
export function directory() {
  return expecting(
    z.string().refine((value) => value.trim() !== "" && !value.includes("\0"), { message: "must be a non-empty path without NUL bytes" }),
    "a non-empty directory path",
  );
}
