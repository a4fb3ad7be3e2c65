import { parseBytes } from "@aral/core/resources";

/**
 * Manifest quantities (the Kubernetes grammar, see core's resources/quantity.ts) converted exactly for
 * Kubernetes and systemd. Exact means integer arithmetic on the digits as written: "2000m" is 2000
 * millicores, never 1.9999999 cores.
 */

const QUANTITY = /^\+?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/;
const DECIMAL_EXPONENT: Record<string, number> = { m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SHIFT: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** A quantity as an exact fraction numerator / denominator (both positive BigInt). */
interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

function exact(input: string | number): Fraction {
  const text = typeof input === "number" ? numberText(input) : input.trim();
  const match = QUANTITY.exec(text);
  if (!match) throw new RangeError(`not a quantity: ${JSON.stringify(input)}`);
  const [, digits = "0", exponentText, suffix = ""] = match;
  const [whole = "", fraction = ""] = digits.split(".");
  let numerator = BigInt(`${whole}${fraction}` || "0");
  let denominator = 10n ** BigInt(fraction.length);
  const exponent = exponentText !== undefined ? Number(exponentText) : DECIMAL_EXPONENT[suffix];
  if (exponent !== undefined) {
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  } else {
    numerator <<= BigInt(BINARY_SHIFT[suffix]!);
  }
  return { numerator, denominator };
}

/** A JS number in plain decimal notation ("1.5", "0.0001"), so it parses exactly as its shortest text. */
function numberText(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

function divideUp(value: Fraction, unit: bigint): { result: bigint; exact: boolean } {
  const scaled = value.numerator * unit;
  const result = (scaled + value.denominator - 1n) / value.denominator;
  return { result, exact: scaled % value.denominator === 0n };
}

/** CPU in whole millicores, rounded up to 1m as Kubernetes does; `exact` is false when rounding happened. */
export function cpuMillicores(input: string | number): { millicores: number; exact: boolean } {
  const { result, exact: isExact } = divideUp(exact(input), 1000n);
  return { millicores: Number(result), exact: isExact };
}

/** Kubernetes' canonical CPU quantity: whole cores as "2", anything else in millicores ("500m", "1500m"). */
export function kubernetesCpu(input: string | number): { quantity: string; exact: boolean } {
  const { millicores, exact: isExact } = cpuMillicores(input);
  return { quantity: millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`, exact: isExact };
}

/**
 * A byte quantity for Kubernetes: the text as written when it is already a whole number of bytes in the
 * Kubernetes grammar ("512Mi" stays "512Mi"); otherwise the whole bytes, rounded up, with the largest
 * binary suffix that divides them.
 */
export function kubernetesBytes(input: string | number): { quantity: string; exact: boolean } {
  const value = exact(input);
  const isWhole = value.numerator % value.denominator === 0n;
  if (typeof input === "string" && isWhole) return { quantity: input.trim().replace(/^\+/, ""), exact: true };
  return { quantity: binaryText(parseBytes(input), ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]), exact: isWhole };
}

function binaryText(bytes: number, suffixes: readonly string[]): string {
  if (bytes === 0) return "0";
  let value = BigInt(bytes);
  let unit = "";
  for (const suffix of suffixes) {
    if (value % 1024n !== 0n) break;
    value /= 1024n;
    unit = suffix;
  }
  return `${value}${unit}`;
}

/** Bytes for a systemd directive (MemoryMax=...): K, M, G, T are powers of 1024 there. Whole bytes, rounded up. */
export function systemdBytes(input: string | number): string {
  return binaryText(parseBytes(input), ["K", "M", "G", "T", "P", "E"]);
}

/** CPUQuota= for a CPU limit: 100% per core, to 0.1% (one millicore); rounded up. */
export function systemdCpuQuota(input: string | number): { quota: string; exact: boolean } {
  const { millicores, exact: isExact } = cpuMillicores(input);
  const whole = Math.floor(millicores / 10);
  const tenth = millicores % 10;
  return { quota: tenth === 0 ? `${whole}%` : `${whole}.${tenth}%`, exact: isExact };
}

/**
 * CPUWeight= for a CPU request: 100 (systemd's default, what every other service has) per requested core,
 * so a 2-core request weighs twice an ordinary service; clamped to systemd's 1..10000.
 */
export function systemdCpuWeight(input: string | number): number {
  const { millicores } = cpuMillicores(input);
  return Math.min(10_000, Math.max(1, Math.round(millicores / 10)));
}

/** Whole seconds, rounded up (Kubernetes durations are integer seconds); at least `min`. */
export function wholeSeconds(ms: number, min = 1): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

/** A systemd time span for milliseconds: "10s" when whole seconds, else "1500ms". */
export function systemdTimeSpan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
