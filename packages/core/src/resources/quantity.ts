import { describeValue } from "../config/describe-value.ts";
/**
 * Resource quantities in the Kubernetes grammar:
 *   <quantity> ::= <number><suffix>,  <number> ::= digits | digits.digits | digits. | .digits
 *   <suffix>   ::= binary (Ki Mi Gi Ti Pi Ei) | decimal (m "" k M G T P E) | exponent (e|E <signed integer>)
 * Quantities here are never negative: a resource amount below zero is always a mistake.
 */

export class QuantityError extends Error {
  override readonly name = "QuantityError";
  readonly input: unknown;
  readonly reason: string;

  // No parameter properties: Node's type stripping (22/24) cannot run them.
  constructor(input: unknown, reason: string) {
    super(`Invalid quantity ${describeValue(input)}: ${reason}`);
    this.input = input;
    this.reason = reason;
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^(\d+\.?\d*|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/;

/** Parses a quantity into its plain number (for CPU: cores; for memory and storage: bytes). */
export function parseQuantity(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(input, "must be a finite number");
    if (input < 0) throw new QuantityError(input, "must not be negative");
    return input;
  }
  if (typeof input !== "string")
    throw new QuantityError(input, 'must be a string such as "500m" or "2Gi", or a number');
  const text = input.trim();
  if (text === "") throw new QuantityError(input, "is empty");
  if (text.startsWith("-")) throw new QuantityError(input, "must not be negative");
  const match = QUANTITY.exec(text.startsWith("+") ? text.slice(1) : text);
  if (!match) {
    throw new QuantityError(
      input,
      "expected a number with an optional suffix: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent (e.g. 500m, 2Gi, 1e3)",
    );
  }
  const [, digits = "", exponent, suffix = ""] = match;
  // Millis divide rather than multiply by 1e-3, so "7m" is exactly 7/1000 (the nearest double to 0.007).
  const value = exponent
    ? Number(digits + exponent)
    : suffix === "m"
      ? Number(digits) / 1000
      : Number(digits) * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
  if (!Number.isFinite(value)) throw new QuantityError(input, "is too large");
  return value;
}

/** CPU in cores: "500m" -> 0.5, "2" -> 2, 1.5 -> 1.5. */
export function parseCpu(input: string | number): number {
  return parseQuantity(input);
}

/** Memory or storage in whole bytes (rounded up, as Kubernetes does): "2Gi" -> 2147483648, "2G" -> 2e9. */
export function parseBytes(input: string | number): number {
  // Kubernetes takes "512m" (0.512 bytes, rounded up to 1): always a slip for "512Mi" or "512M", which it then kills at.
  if (typeof input === "string" && /^\+?(\d+\.?\d*|\.\d+)m$/.test(input.trim()))
    throw new QuantityError(
      input,
      `"m" is milli (thousandths of a byte): write ${input.trim().slice(0, -1)}Mi (mebibytes) or ${input.trim().slice(0, -1)}M (megabytes)`,
    );
  const bytes = Math.ceil(parseQuantity(input));
  if (!Number.isSafeInteger(bytes))
    throw new QuantityError(input, `is too large (more than ${Number.MAX_SAFE_INTEGER} bytes)`);
  return bytes;
}

/** Canonical CPU string: whole cores as "2", anything else in millicores ("500m"), rounded up to 1m. */
export function formatCpu(cores: number): string {
  if (!Number.isFinite(cores) || cores < 0)
    throw new QuantityError(cores, "must be a finite, non-negative number of cores");
  if (Number.isInteger(cores)) return String(cores);
  return `${Math.ceil(Math.round(cores * 1e6) / 1e3)}m`;
}

/** Canonical byte string: the largest binary suffix that divides exactly, else the largest decimal one, else plain bytes. */
export function formatBytes(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new QuantityError(bytes, "must be a whole, non-negative number of bytes");
  if (bytes === 0) return "0";
  for (const [suffix, factor] of [...Object.entries(BINARY)].reverse()) {
    if (bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  for (const suffix of ["E", "P", "T", "G", "M", "k"]) {
    const factor = DECIMAL[suffix]!;
    if (bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

const BANDWIDTH = /^(\d+\.?\d*|\.\d+)\s*(bps|kbps|Kbps|Mbps|Gbps|Tbps)$/;
const BANDWIDTH_FACTOR: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };

/** Bandwidth in bits per second: "100Mbps" -> 1e8, "500kbps" -> 5e5. A bare number is bits per second. */
export function parseBandwidth(input: string | number): number {
  if (typeof input === "number") return parseQuantity(input);
  if (typeof input !== "string") throw new QuantityError(input, 'must be a string such as "100Mbps"');
  const text = input.trim();
  if (text.startsWith("-")) throw new QuantityError(input, "must not be negative");
  const match = BANDWIDTH.exec(text);
  if (!match)
    throw new QuantityError(input, "expected a number with a unit: bps, kbps, Mbps, Gbps or Tbps (e.g. 100Mbps)");
  const value = Number(match[1]) * BANDWIDTH_FACTOR[match[2]!]!;
  if (!Number.isFinite(value)) throw new QuantityError(input, "is too large");
  return value;
}

/** Canonical bandwidth string with the largest unit that divides exactly. */
export function formatBandwidth(bitsPerSecond: number): string {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond < 0)
    throw new QuantityError(bitsPerSecond, "must be a finite, non-negative bit rate");
  for (const unit of ["Tbps", "Gbps", "Mbps", "kbps"]) {
    const factor = BANDWIDTH_FACTOR[unit]!;
    if (bitsPerSecond >= factor && bitsPerSecond % factor === 0) return `${bitsPerSecond / factor}${unit}`;
  }
  return `${bitsPerSecond}bps`;
}
