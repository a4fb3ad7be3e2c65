/** How one limit is held: by the kernel (cgroup), by the supervisor sampling /proc, or not at all. "unset": the manifest sets none. */
export type LimitEnforcement = "kernel" | "sampled" | "not enforced" | "unset";

/** What an instance's limits and stop really rest on, for logs, `aral ps` and `aral check`. */
export interface EnforcementReport {
  /** "cgroup v2", "cgroup v1", or "none" (then `reason` says why). */
  readonly mechanism: "cgroup v2" | "cgroup v1" | "none";
  readonly reason?: string;
  /** resources.memory.limit */
  readonly memory: LimitEnforcement;
  /** resources.memory.swap: "disabled" */
  readonly swap: LimitEnforcement;
  /** resources.cpu.limit (quota) */
  readonly cpuLimit: LimitEnforcement;
  /** resources.cpu.request (weight / shares) */
  readonly cpuRequest: LimitEnforcement;
  /** resources.pids.limit */
  readonly pids: LimitEnforcement;
  /** What a stop ends: the whole cgroup, the agent's process group, or only the agent's own process. */
  readonly containment: "cgroup" | "process group" | "agent only";
  /** Whether the agent gets one SIGTERM when the supervisor dies (a watcher in its session sees the supervisor's pipe close). */
  readonly supervisorDeath: "signal" | "not detected";
}

/** One line per limit, e.g. "memory kernel (cgroup v1), cpu limit kernel, pids kernel, ...". */
export function describeEnforcement(report: EnforcementReport): string {
  const limits = [
    ["memory", report.memory],
    ["swap off", report.swap],
    ["cpu limit", report.cpuLimit],
    ["cpu request", report.cpuRequest],
    ["pids", report.pids],
  ]
    .filter(([, how]) => how !== "unset")
    .map(([name, how]) => `${name}: ${how}`);
  const via = report.mechanism === "none" ? `no cgroups (${report.reason ?? "unavailable"})` : report.mechanism;
  return `${via}; ${limits.length > 0 ? limits.join(", ") : "no limits set"}; stop ends the ${report.containment}`;
}
