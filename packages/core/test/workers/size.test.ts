import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkerPoolConfigError } from "../../src/workers/errors.ts";
import { workerPoolSize } from "../../src/workers/size.ts";

describe("workerPoolSize", () => {
  it("whole cores of the limit, rounded down, at least 1, at most the machine's cores", () => {
    expect(workerPoolSize("2000m", 8)).toBe(2);
    expect(workerPoolSize("2000m", 1)).toBe(1);
    expect(workerPoolSize("500m", 8)).toBe(1);
    expect(workerPoolSize("1500m", 8)).toBe(1);
    expect(workerPoolSize("2", 2)).toBe(2);
    expect(workerPoolSize(3.9, 8)).toBe(3);
    expect(workerPoolSize("1e1", 16)).toBe(10);
    expect(workerPoolSize("1m", 4)).toBe(1);
  });

  it("no limit: one worker per core (at least 1 on a runtime that reports 0 cores)", () => {
    expect(workerPoolSize(undefined, 6)).toBe(6);
    expect(workerPoolSize(undefined, 0)).toBe(1);
    expect(workerPoolSize(undefined, 2.5)).toBe(2);
  });

  it("rejects a malformed or zero limit and a bad core count with WorkerPoolConfigError", () => {
    for (const [limit, cpus, option] of [
      ["2GB", 4, "cpuLimit"],
      ["-1", 4, "cpuLimit"],
      ["", 4, "cpuLimit"],
      [0, 4, "cpuLimit"],
      ["0m", 4, "cpuLimit"],
      ["1", Number.NaN, "cpus"],
      ["1", -2, "cpus"],
    ] as const) {
      let error: unknown;
      try {
        workerPoolSize(limit, cpus);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WorkerPoolConfigError);
      expect(error).toMatchObject({ option, value: option === "cpus" ? cpus : limit });
      expect((error as Error).message).toContain(option);
    }
  });

  it("property: within [1, cores] and never decreasing as the limit grows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64_000 }),
        fc.integer({ min: 1, max: 64_000 }),
        fc.integer({ min: 1, max: 128 }),
        (a, b, cpus) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const small = workerPoolSize(`${low}m`, cpus);
          const large = workerPoolSize(`${high}m`, cpus);
          return (
            small >= 1 &&
            large <= cpus &&
            small <= large &&
            small === Math.min(cpus, Math.max(1, Math.floor(low / 1000)))
          );
        },
      ),
    );
  });
});
