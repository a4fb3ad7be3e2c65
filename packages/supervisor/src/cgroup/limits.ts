/** What an instance cgroup enforces; undefined means no limit of that kind. */
export interface CgroupLimits {
  readonly memoryBytes?: number;
  /** false (`swap: "disabled"`): the instance may not use swap. */
  readonly swap: boolean;
  /** CPU quota in cores (0.25 = a quarter of one core per period). */
  readonly cpuLimitCores?: number;
  /** CPU weight (v2) / shares (v1) in cores, as Kubernetes maps `requests.cpu`. */
  readonly cpuRequestCores?: number;
  readonly pidsLimit?: number;
}

export const CPU_PERIOD_US = 100_000;

/** cpu.cfs_quota_us / the first field of cpu.max: at least 1 ms, as the kernel requires. */
export function cpuQuotaMicros(cores: number): number {
  return Math.max(1_000, Math.round(cores * CPU_PERIOD_US));
}

/** v1 cpu.shares: 1024 per core, at least 2 (the kernel minimum). */
export function cpuShares(cores: number): number {
  return Math.max(2, Math.round(cores * 1024));
}

/** v2 cpu.weight (1-10000) from shares, the formula Kubernetes and runc use. */
export function cpuWeight(cores: number): number {
  const shares = Math.min(262_144, cpuShares(cores));
  return Math.max(1, Math.min(10_000, 1 + Math.floor(((shares - 2) * 9_999) / 262_142)));
}
