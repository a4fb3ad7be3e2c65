import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  QuantityError,
  formatBandwidth,
  formatBytes,
  formatCpu,
  parseBandwidth,
  parseBytes,
  parseCpu,
  parseQuantity,
} from "../../src/resources/quantity.ts";

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, bigint> = {
  "": 1n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
};
const SUFFIXES = [...Object.keys(BINARY), ...Object.keys(DECIMAL)];

/** A whole-number quantity string and its exact value. */
const wholeQuantity = fc
  .record({ n: fc.integer({ min: 0, max: 1_000_000 }), suffix: fc.constantFrom(...SUFFIXES) })
  .map(({ n, suffix }) => ({ text: `${n}${suffix}`, exact: BigInt(n) * (BINARY[suffix] ?? DECIMAL[suffix]!) }));

describe("quantities (property tests)", () => {
  it("CPU: parseCpu(formatCpu(x)) === x for every whole number of millicores", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (millis) => {
        const cores = millis / 1000;
        expect(parseCpu(formatCpu(cores))).toBe(cores);
      }),
    );
  });

  it('CPU: parse of a millicore string is exact ("7m" is 7/1000, not 7 × 0.001)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (millis) => {
        expect(parseCpu(`${millis}m`)).toBe(millis / 1000);
      }),
    );
  });

  it("bytes: parseBytes(formatBytes(n)) === n for every safe integer", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(parseBytes(formatBytes(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => {
        expect(parseBytes(formatBytes(n))).toBe(n);
      }),
    );
  });

  it("bytes: formatting is canonical (format∘parse∘format is stable)", () => {
    fc.assert(
      fc.property(wholeQuantity, ({ exact }) => {
        fc.pre(exact <= BigInt(Number.MAX_SAFE_INTEGER));
        const once = formatBytes(Number(exact));
        expect(formatBytes(parseBytes(once))).toBe(once);
      }),
    );
  });

  it("ordering is preserved: exact a < b implies parse(a) <= parse(b), and a == b implies equality", () => {
    fc.assert(
      fc.property(wholeQuantity, wholeQuantity, (a, b) => {
        const pa = parseQuantity(a.text);
        const pb = parseQuantity(b.text);
        if (a.exact < b.exact) expect(pa).toBeLessThanOrEqual(pb);
        else if (a.exact > b.exact) expect(pa).toBeGreaterThanOrEqual(pb);
        else expect(pa).toBe(pb);
      }),
    );
  });

  it("ordering is preserved through format: a < b implies formatBytes(a) parses below formatBytes(b)", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (a, b) => {
        fc.pre(a !== b);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(parseBytes(formatBytes(lo))).toBeLessThan(parseBytes(formatBytes(hi)));
      }),
    );
  });

  it("bandwidth: parseBandwidth(formatBandwidth(x)) === x", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(1, 1e3, 1e6, 1e9), (n, unit) => {
        const bits = n * unit;
        expect(parseBandwidth(formatBandwidth(bits))).toBe(bits);
      }),
    );
  });

  it.each(["2GB", "-1Gi", "", "   ", "NaN", "Infinity", "1e400", "1.5.5", "Gi", "2 Gi", "0x10", "1e3Gi"])(
    "rejects %j with a QuantityError naming the input",
    (input) => {
      expect(() => parseQuantity(input)).toThrow(QuantityError);
      try {
        parseQuantity(input);
      } catch (error) {
        expect((error as QuantityError).input).toBe(input);
        expect((error as Error).message).toContain(JSON.stringify(input));
      }
    },
  );

  it("rejects non-finite and negative numbers and bytes past 2^53", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1])
      expect(() => parseQuantity(bad)).toThrow(QuantityError);
    expect(() => parseBytes("8Ei")).toThrow(/too large/);
    // Kubernetes' milli-bytes: "512m" is 0.512 bytes, a slip for 512Mi that would OOM at its first allocation
    expect(() => parseBytes("512m")).toThrow(/"m" is milli .*write 512Mi \(mebibytes\) or 512M/);
    expect(() => parseBytes("1.5m")).toThrow(QuantityError);
    expect(parseCpu("512m")).toBe(0.512);
    expect(() => parseBandwidth("100MBps")).toThrow(QuantityError);
    expect(() => parseBandwidth("-5Mbps")).toThrow(/negative/);
  });

  it("any valid quantity followed by a stray unit letter is rejected, naming the input", () => {
    fc.assert(
      fc.property(wholeQuantity, fc.constantFrom("B", "b", "iB", "X", "bytes", "%"), ({ text }, junk) => {
        const input = `${text}${junk}`;
        const error = (() => {
          try {
            parseQuantity(input);
            return null;
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(QuantityError);
        expect((error as QuantityError).input).toBe(input);
      }),
    );
  });
});
