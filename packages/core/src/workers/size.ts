import { QuantityError, parseCpu } from "../resources/quantity.ts";
import { WorkerPoolConfigError } from "./errors.ts";

/**
 * How many workers a CPU limit pays for: whole cores, rounded down, at least 1, never more than the
 * machine's cores. No limit -> one per core. `"2000m"` -> 2, `"500m"` -> 1, `"1.5"` -> 1, `6` on 4 cores -> 4.
 */
export function workerPoolSize(cpuLimit: string | number | undefined, cpus: number): number {
  if (typeof cpus !== "number" || !Number.isFinite(cpus) || cpus < 0) {
    throw new WorkerPoolConfigError("cpus", cpus, "the machine's core count, a finite number \u2265 0");
  }
  const cores = Math.max(1, Math.floor(cpus));
  if (cpuLimit === undefined) return cores;
  let limit: number;
  try {
    limit = parseCpu(cpuLimit);
  } catch (error) {
    const reason = error instanceof QuantityError ? error.reason : String(error);
    throw new WorkerPoolConfigError("cpuLimit", cpuLimit, `a CPU quantity such as "2000m", "2" or 1.5 (${reason})`);
  }
  if (limit <= 0) throw new WorkerPoolConfigError("cpuLimit", cpuLimit, "a CPU quantity more than 0");
  return Math.min(cores, Math.max(1, Math.floor(limit)));
}
