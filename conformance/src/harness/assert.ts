import { PLATFORM_ERROR_CODES, PlatformError } from "@aral/platform";
import type { PlatformErrorCode } from "@aral/platform";

/** A failed expectation; its message says what was expected and what was found. */
export class AssertionError extends Error {
  override readonly name = "AssertionError";
}

export function fail(message: string): never {
  throw new AssertionError(message);
}

export function ok(value: unknown, message = "expected a truthy value"): asserts value {
  if (!value) fail(`${message} (got ${describe(value)})`);
}

export function equal<T>(actual: T, expected: T, what = "value"): void {
  if (!Object.is(actual, expected)) fail(`${what}: expected ${describe(expected)}, got ${describe(actual)}`);
}

export function deepEqual(actual: unknown, expected: unknown, what = "value"): void {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

export function bytesEqual(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  if (!(actual instanceof Uint8Array)) fail(`${what}: expected a Uint8Array, got ${describe(actual)}`);
  const shorter = Math.min(actual.byteLength, expected.byteLength);
  for (let i = 0; i < shorter; i++) {
    if (actual[i] !== expected[i]) {
      fail(
        `${what}: first difference at byte ${i} of ${expected.byteLength} (expected ${expected[i]}, got ${actual[i]}); lengths expected ${expected.byteLength}, got ${actual.byteLength}`,
      );
    }
  }
  if (actual.byteLength !== expected.byteLength) {
    fail(
      `${what}: expected ${expected.byteLength} bytes, got ${actual.byteLength} (the common ${shorter} bytes match)`,
    );
  }
}

export function match(actual: string, pattern: RegExp, what = "string"): void {
  if (typeof actual !== "string" || !pattern.test(actual))
    fail(`${what}: expected to match ${pattern}, got ${describe(actual)}`);
}

export function atLeast(actual: number, minimum: number, what = "value"): void {
  if (!(typeof actual === "number" && actual >= minimum))
    fail(`${what}: expected ≥ ${minimum}, got ${describe(actual)}`);
}

export function atMost(actual: number, maximum: number, what = "value"): void {
  if (!(typeof actual === "number" && actual <= maximum))
    fail(`${what}: expected ≤ ${maximum}, got ${describe(actual)}`);
}

export interface RejectsExpectation {
  /** The PlatformError code; implies the error must be a PlatformError. */
  code?: PlatformErrorCode | readonly PlatformErrorCode[];
  /** A class the error must be an instance of. */
  instance?: abstract new (
    ...args: never[]
  ) => unknown;
  message?: string | RegExp;
  /** The `path` the PlatformError must carry (any of them, when several fit). */
  path?: string | readonly string[];
}

/** Awaits `fn()`, requires it to throw or reject as described, and returns the error. */
export async function rejects(
  fn: () => unknown,
  expected: RejectsExpectation = {},
  what = "operation",
): Promise<unknown> {
  let error: unknown;
  let threw = false;
  try {
    const value = await fn();
    error = value;
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw)
    fail(
      `${what}: expected a rejection${expected.code ? ` with code ${describeCodes(expected.code)}` : ""}, but it resolved with ${describe(error)}`,
    );
  checkError(error, expected, what);
  return error;
}

/** Checks an error already caught against an expectation. */
export function checkError(error: unknown, expected: RejectsExpectation, what = "error"): void {
  if (expected.code !== undefined) {
    assertPlatformError(error, what);
    const codes = typeof expected.code === "string" ? [expected.code] : expected.code;
    if (!codes.includes(error.code))
      fail(
        `${what}: expected PlatformError code ${describeCodes(expected.code)}, got ${describe(error.code)} (${error.message})`,
      );
  }
  if (expected.instance && !(error instanceof expected.instance)) {
    fail(`${what}: expected an instance of ${expected.instance.name}, got ${describeError(error)}`);
  }
  if (expected.message !== undefined) {
    const message = (error as { message?: unknown } | null)?.message;
    const good =
      typeof message === "string" &&
      (typeof expected.message === "string" ? message.includes(expected.message) : expected.message.test(message));
    if (!good)
      fail(`${what}: expected an error message matching ${describe(expected.message)}, got ${describe(message)}`);
  }
  if (expected.path !== undefined) {
    const path = (error as { path?: unknown } | null)?.path;
    const paths = typeof expected.path === "string" ? [expected.path] : expected.path;
    if (typeof path !== "string" || !paths.includes(path))
      fail(
        `${what}: expected the error's path to be ${paths.map((p) => describe(p)).join(" or ")}, got ${describe(path)}`,
      );
  }
}

/** A PlatformError from @aral/core, or one from another copy of it (same name, a valid code). */
export function isPlatformErrorLike(error: unknown): error is PlatformError {
  if (error instanceof PlatformError) return true;
  const e = error as { name?: unknown; code?: unknown } | null;
  return (
    error instanceof Error &&
    e?.name === "PlatformError" &&
    (PLATFORM_ERROR_CODES as readonly unknown[]).includes(e.code)
  );
}

export function assertPlatformError(error: unknown, what = "error"): asserts error is PlatformError {
  if (!isPlatformErrorLike(error)) fail(`${what}: expected a PlatformError, got ${describeError(error)}`);
}

function describeCodes(code: PlatformErrorCode | readonly PlatformErrorCode[]): string {
  return typeof code === "string" ? code : code.join(" or ");
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code === undefined ? "" : ` (code ${describe(code)})`}: ${error.message}`;
  }
  return describe(error);
}

export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.byteLength})`;
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return describeError(value);
  const text = canonical(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A stable text form: object keys sorted, undefined and special values spelled out. */
function canonical(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? String(value);
  if (value instanceof Uint8Array) return `Uint8Array[${Array.from(value).join(",")}]`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()})`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}
