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
/** The kernel's bounds: a quota of at least 1 ms, a period of at most 1 s. */
const MIN_QUOTA_US = 1_000;
const MAX_PERIOD_US = 1_000_000;

/**
 * cpu.max (`<quota> <period>`) / cpu.cfs_quota_us and cpu.cfs_period_us for a limit in cores: 100 ms periods, or a
 * longer one (up to 1 s) where the kernel's 1 ms minimum quota would be more than the limit - under 10m a 100 ms
 * period held "1m" as 10m. Below 1m even a 1 s period gives 1m (the least the kernel can hold).
 */
export function cpuMax(cores: number): { quotaUs: number; periodUs: number } {
  const periodUs =
    cores * CPU_PERIOD_US >= MIN_QUOTA_US ? CPU_PERIOD_US : Math.min(MAX_PERIOD_US, Math.ceil(MIN_QUOTA_US / cores));
  return { quotaUs: Math.max(MIN_QUOTA_US, Math.round(cores * periodUs)), periodUs };
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
