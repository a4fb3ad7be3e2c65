import { systemClock, type Platform } from "@aral/platform";
import { childUsageSupported } from "./child-usage.ts";
import { CgroupSetupError, InstanceCgroup } from "./cgroup/instance-cgroup.ts";
import type { CgroupLimits } from "./cgroup/limits.ts";
import { instanceCgroupName, removeEmptyParents } from "./cgroup/reap.ts";
import type { EnforcementReport } from "./enforcement.ts";
import { enforcementReport, planIsolation, type IsolationOptions } from "./isolation.ts";
import type { SupervisorManifestSettings } from "./manifest-settings.ts";

/** The cgroup limits a supervisor would set from manifest settings. */
export function limitsFromSettings(
  settings: Pick<
    SupervisorManifestSettings,
    "memoryLimitBytes" | "allowSwap" | "cpuLimitCores" | "cpuRequestCores" | "pidsLimit"
  >,
): CgroupLimits {
  return {
    swap: settings.allowSwap,
    ...(settings.memoryLimitBytes !== undefined ? { memoryBytes: settings.memoryLimitBytes } : {}),
    ...(settings.cpuLimitCores !== undefined ? { cpuLimitCores: settings.cpuLimitCores } : {}),
    ...(settings.cpuRequestCores !== undefined ? { cpuRequestCores: settings.cpuRequestCores } : {}),
    ...(settings.pidsLimit !== undefined ? { pidsLimit: settings.pidsLimit } : {}),
  };
}

/**
 * How `aral run` would hold these limits on this host, found the honest way: a probe cgroup is created with
 * the limits (the kernel accepts or refuses each write) and removed again. For `aral check`.
 */
export async function previewEnforcement(
  platform: Pick<Platform, "fs" | "process" | "runtime">,
  settings: Parameters<typeof limitsFromSettings>[0],
  options: IsolationOptions = {},
): Promise<EnforcementReport> {
  const limits = limitsFromSettings(settings);
  let plan = await planIsolation(platform, options);
  let enforced;
  if (plan.host) {
    try {
      const probe = await InstanceCgroup.create(
        platform,
        systemClock,
        plan.host,
        instanceCgroupName(platform.process.pid, "check", 0),
        limits,
      );
      enforced = probe.enforced;
      if ((await probe.remove()) && options.cgroupParent === undefined) await removeEmptyParents(platform, plan.host);
    } catch (error) {
      if (!(error instanceof CgroupSetupError)) throw error;
      plan = { ...plan, host: undefined, cgroupReason: error.message };
    }
  }
  return enforcementReport(plan, limits, enforced, { memorySampled: childUsageSupported(platform) });
}
