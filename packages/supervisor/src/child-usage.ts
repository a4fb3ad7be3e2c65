import type { Platform } from "@aral/platform";

/** One sample of an instance's resource use: its cgroup's accounting, or Linux's /proc for the agent process alone. */
export interface ChildUsage {
  readonly pid: number;
  /** "cgroup": every process of the instance; "proc": the agent's own process. */
  readonly source?: "cgroup" | "proc";
  /** Memory in bytes: the cgroup's charge (source "cgroup") or the agent's VmRSS ("proc"). */
  readonly rssBytes: number;
  /** Highest memory charge so far (cgroup only), or null. */
  readonly memoryPeakBytes?: number | null;
  /** Cumulative CPU time in microseconds (whole instance for "cgroup", main process from /proc/<pid>/schedstat for "proc"), or null. */
  readonly cpuMicros: number | null;
  /** Tasks in the instance (cgroup only), or null. */
  readonly pids?: number | null;
}

/**
 * The Platform has no per-child usage API, so the supervisor reads Linux's /proc/<pid>/status through
 * platform.fs - runtime-neutral, but Linux-only: elsewhere `childUsageSupported` is false and no limit is
 * enforced by sampling.
 */
export function childUsageSupported(platform: Pick<Platform, "runtime">): boolean {
  return platform.runtime.os === "linux";
}

/** VmRSS of /proc/<pid>/status in bytes; null when the line is missing (a zombie that has not been reaped). */
export function parseVmRss(statusText: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : null;
}

/** Reads one sample; null once the process is gone (or is a zombie). Other read failures are thrown. */
export async function readChildUsage(platform: Pick<Platform, "fs">, pid: number): Promise<ChildUsage | null> {
  let status: string;
  try {
    status = await platform.fs.readTextFile(`/proc/${pid}/status`);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "NotFound") return null;
    throw error;
  }
  const rssBytes = parseVmRss(status);
  if (rssBytes === null) return null;
  let cpuMicros: number | null = null;
  try {
    // First field: nanoseconds spent on a CPU (no clock-tick size to guess, unlike /proc/<pid>/stat).
    const onCpuNanos = Number((await platform.fs.readTextFile(`/proc/${pid}/schedstat`)).split(" ")[0]);
    if (Number.isFinite(onCpuNanos)) cpuMicros = Math.round(onCpuNanos / 1000);
  } catch {
    // schedstat is optional in some kernels; the CPU figure is reported only, never enforced
  }
  return { pid, source: "proc", rssBytes, cpuMicros };
}
