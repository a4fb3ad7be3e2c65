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

/** How much longer than its kill deadline a dead supervisor's watcher is given to end its agent by itself. */
const WATCHER_MARGIN_MS = 1_000;

/**
 * The kill deadline (ms) of the supervisor-death watcher among `pids`, or undefined when none is left. The watcher
 * (isolation.ts' WATCH_SCRIPT) runs as `/bin/sh -c <script> aral-agent <grace seconds> ...`; it sends the agent its one
 * SIGTERM when the supervisor dies and SIGKILLs the group at the deadline, itself last.
 */
async function watcherDeadlineMs(platform: Pick<Platform, "fs">, pids: readonly number[]): Promise<number | undefined> {
  for (const pid of pids) {
    const argv = (await platform.fs.readTextFile(`/proc/${pid}/cmdline`).catch(() => "")).split("\0");
    const at = argv.indexOf("aral-agent");
    if (at > 0 && argv[at - 2] === "-c") return Number(argv[at + 1]) * 1_000 || 0;
  }
  return undefined;
}

/** Tries to remove the cgroup directory (it goes when empty): true when that is not ours to do (PermissionDenied). */
async function removalRefused(platform: Pick<Platform, "fs">, directory: string): Promise<boolean> {
  try {
    await platform.fs.remove(directory);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === "PermissionDenied";
  }
}

/**
 * Kills and removes the instance cgroups a supervisor that is no longer alive left behind (SIGKILLed, crashed):
 * the agents it ran, and whatever they spawned. Returns the names it reaped. A cgroup whose watcher still runs is
 * mid-way through a graceful stop (its agent got its one SIGTERM): it is reaped once the watcher is done, or at the
 * watcher's deadline plus a margin - a kill now would cut the agent's drain short.
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
    // Another user's (root's) leftover: removing it is refused at once, so nothing is killed or waited for.
    if (await removalRefused(platform, Object.values(directories)[0]!)) continue;
    const cgroup = InstanceCgroup.fromExisting(platform, clock, host.version, directories);
    const graceMs = await watcherDeadlineMs(platform, await cgroup.members());
    if (graceMs !== undefined) {
      const deadline = clock.now() + graceMs + WATCHER_MARGIN_MS;
      while (clock.now() < deadline && (await watcherDeadlineMs(platform, await cgroup.members())) !== undefined)
        await clock.sleep(50);
    }
    if (await cgroup.remove()) reaped.push(name);
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
