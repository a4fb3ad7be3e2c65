// The OTLP exporters' wait after retryable failures on its own: doubling with equal jitter, capped, Retry-After
// honoured (and bounded), started over by a success; and the Retry-After forms an answer can carry.
import { afterEach, describe, expect, it, vi } from "vitest";
import { OtlpBackoff } from "../../src/tracing/otlp-backoff.ts";
import { parseRetryAfter } from "../../src/tracing/otlp-http.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("OtlpBackoff", () => {
  it("doubles from initialMs up to maxMs, each wait drawn from the upper half of its step", () => {
    const random = vi.spyOn(Math, "random");
    random.mockReturnValue(0);
    const lowest = new OtlpBackoff({ initialMs: 100, maxMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map(() => lowest.failed())).toEqual([50, 100, 200, 400, 500, 500]);
    random.mockReturnValue(0.999_999);
    const highest = new OtlpBackoff({ initialMs: 100, maxMs: 1_000 });
    const waits = [1, 2, 3, 4, 5, 6].map(() => Math.round(highest.failed()));
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("starts over after a success", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const backoff = new OtlpBackoff({ initialMs: 100, maxMs: 10_000 });
    for (let i = 0; i < 5; i++) backoff.failed();
    expect(backoff.failed()).toBe(1_600);
    backoff.succeeded();
    expect(backoff.remainingMs()).toBe(0);
    expect(backoff.failed()).toBe(50);
  });

  it("waits a Retry-After longer than its own step, at most 5 minutes, and never less than its step", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const backoff = new OtlpBackoff({ initialMs: 1_000, maxMs: 30_000 });
    expect(backoff.failed(7_000)).toBe(7_000);
    expect(backoff.failed(10)).toBe(1_000);
    expect(backoff.failed(10 * 24 * 3_600_000)).toBe(300_000);
  });

  it("says how long is left; skipWait lets the next request go now without forgetting the failures", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const backoff = new OtlpBackoff({ initialMs: 60_000, maxMs: 600_000 });
    backoff.failed();
    expect(backoff.remainingMs()).toBeGreaterThan(29_000);
    expect(backoff.remainingMs()).toBeLessThanOrEqual(30_000);
    backoff.skipWait();
    expect(backoff.remainingMs()).toBe(0);
    expect(backoff.failed()).toBe(60_000);
  });

  it("defaults to 1 s doubling to 30 s", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const backoff = new OtlpBackoff();
    const waits = Array.from({ length: 8 }, () => backoff.failed());
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay-seconds and an HTTP date; a date in the past is no wait", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 3 ", now)).toBe(3_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
  });

  it("ignores what is neither (no header, a negative or fractional number, text)", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
