import type { Clock, Platform } from "@aral/platform";
import type { CgroupHost, V1Controller } from "./detect.ts";
import { InstanceCgroup } from "./instance-cgroup.ts";

/** Instance cgroups are named `<supervisor pid>-<instance>-<run>`: the pid says whose they are. */
export function instanceCgroupName(supervisorPid: number, instance: string, run: number): string {
  const safe = instance.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64) || "agent";
  return `${supervisorPid}-${safe}-${run}`;
}

export function supervisorPidOf(cgroupName: string): number | null {
  const match = /^(\d+)-/.exec(cgroupName);
  return match ? Number(match[1]) : null;
}

async function directoryNames(platform: Pick<Platform, "fs">, path: string): Promise<string[]> {
  try {
    return (await platform.fs.readDir(path)).filter((entry) => entry.isDirectory).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * Kills and removes the instance cgroups a supervisor that is no longer alive left behind (SIGKILLed, crashed):
 * the agents it ran, and whatever they spawned. Returns the names it reaped.
 */
export async function reapLeftoverCgroups(
  platform: Pick<Platform, "fs" | "process">,
  clock: Clock,
  host: CgroupHost,
): Promise<string[]> {
  const parents: Partial<Record<V1Controller, string>> = host.version === 2 ? { memory: host.parent } : host.parents;
  const byName = new Map<string, Partial<Record<V1Controller, string>>>();
  for (const [controller, parent] of Object.entries(parents) as [V1Controller, string][]) {
    for (const name of await directoryNames(platform, parent)) {
      const owner = supervisorPidOf(name);
      if (owner === null || owner === platform.process.pid) continue;
      if (await platform.fs.exists(`/proc/${owner}`)) continue;
      byName.set(name, { ...byName.get(name), [controller]: `${parent}/${name}` });
    }
  }
  const reaped: string[] = [];
  for (const [name, directories] of byName) {
    if (await InstanceCgroup.fromExisting(platform, clock, host.version, directories).remove()) reaped.push(name);
  }
  return reaped;
}

/**
 * Removes the `aral` parent directories once no instance cgroup is left in them, so nothing of ours stays in
 * the hierarchy (a cgroup with a child cannot be removed by whoever owns it). A non-empty one stays; a later
 * instance creates it again. Not for a delegated parent given by the operator.
 */
export async function removeEmptyParents(platform: Pick<Platform, "fs">, host: CgroupHost): Promise<void> {
  const parents = host.version === 2 ? [host.parent] : [...new Set(Object.values(host.parents))];
  for (const parent of parents) await platform.fs.remove(parent).catch(() => undefined);
}
