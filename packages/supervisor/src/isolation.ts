import type { Clock, Platform } from "@aral/platform";
import { detectCgroups, type CgroupHost } from "./cgroup/detect.ts";
import type { KernelEnforced } from "./cgroup/instance-cgroup.ts";
import type { CgroupLimits } from "./cgroup/limits.ts";
import { reapLeftoverCgroups } from "./cgroup/reap.ts";
import type { EnforcementReport, LimitEnforcement } from "./enforcement.ts";

/** What this host offers for isolating an instance, found once when a supervisor starts. */
export interface IsolationPlan {
  /** Usable cgroups, or undefined (then `cgroupReason` says why). */
  readonly host: CgroupHost | undefined;
  readonly cgroupReason?: string;
  /** An option this host does not do (a cgroup parent on cgroup v1): said once as a warning. */
  readonly notice?: string;
  /**
   * util-linux `setsid`: the agent gets its own session and process group (a terminal's Ctrl-C stays out), and
   * a watcher in that group sends it one SIGTERM when the supervisor dies (see isolatedCommand).
   */
  readonly setsid: string | undefined;
}

export interface IsolationOptions {
  /** "auto" (default): use cgroups where the host allows; "off": never (process group and sampling only). */
  readonly cgroups?: "auto" | "off";
  /** A cgroup directory to create instance cgroups under (a delegated subtree); default see detectCgroups. */
  readonly cgroupParent?: string;
  /** PATH to find setsid and setpriv on. */
  readonly path?: string;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Absolute path of `name` on `path`, or undefined. */
export async function findExecutable(
  platform: Pick<Platform, "fs">,
  name: string,
  path: string,
): Promise<string | undefined> {
  if (name.includes("/")) return (await platform.fs.exists(name)) ? name : undefined;
  for (const directory of path.split(":")) {
    if (!directory.startsWith("/")) continue;
    const candidate = `${directory}/${name}`;
    try {
      const info = await platform.fs.stat(candidate);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function planIsolation(
  platform: Pick<Platform, "fs" | "runtime">,
  options: IsolationOptions = {},
): Promise<IsolationPlan> {
  if (platform.runtime.os !== "linux") {
    return {
      host: undefined,
      cgroupReason: `cgroups exist only on Linux (this is ${platform.runtime.os})`,
      setsid: undefined,
    };
  }
  const setsid = await findExecutable(platform, "setsid", options.path ?? DEFAULT_PATH);
  if (options.cgroups === "off") return { host: undefined, cgroupReason: "cgroups turned off", setsid };
  const detection = await detectCgroups(
    platform,
    options.cgroupParent !== undefined ? { parent: options.cgroupParent } : {},
  );
  return "host" in detection
    ? { host: detection.host, setsid, ...(detection.notice !== undefined ? { notice: detection.notice } : {}) }
    : { host: undefined, cgroupReason: detection.unusable, setsid };
}

const JOIN_SCRIPT =
  'while [ "$#" -gt 0 ] && [ "$1" != -- ]; do echo $$ > "$1" || { echo "aral: cannot join cgroup $1" >&2; exit 125; }; shift; done; shift; exec "$@"';

/**
 * Runs in the agent's new session, then becomes the agent (same pid). A watcher forked first holds the
 * supervisor's stdin pipe, on which nothing is ever written: when the supervisor dies the kernel closes it,
 * the watcher reads EOF and sends the agent exactly one SIGTERM, then - once the agent is gone, or at the kill
 * deadline ($1 seconds) - SIGKILLs the agent's process group, grandchildren included, itself last.
 * (PR_SET_PDEATHSIG was not used: it fires once per exiting thread of a multi-threaded parent, several
 * SIGTERMs, which an agent counts as "force the stop".) The agent's pid cannot be reused while the watcher
 * lives in the session it leads. The agent gets /dev/null as stdin.
 */
const WATCH_SCRIPT =
  'agent=$$; grace=$1; shift; exec 3<&0; ( trap "" INT TERM HUP; while read -r _ <&3; do :; done; kill -s TERM "$agent" 2>/dev/null; ' +
  'waited=0; while kill -0 "$agent" 2>/dev/null && [ "$waited" -lt "$grace" ]; do sleep 1; waited=$((waited + 1)); done; ' +
  'kill -s KILL -- -"$agent" 2>/dev/null ) & exec 3<&- "$@" </dev/null';

/**
 * The command line that runs `command args` isolated: a tiny shell joins the instance cgroup (the pid is in
 * it before the agent runs one instruction), then execs setsid (own session and process group) and the
 * supervisor-death watcher (WATCH_SCRIPT, with the kill deadline in seconds). The pid stays the agent's.
 * Spawn it with stdin "pipe" and keep that pipe open, unwritten, until the agent has exited.
 */
export function isolatedCommand(
  plan: IsolationPlan,
  procsFiles: readonly string[],
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  killDeadlineMs = 12_000,
): { command: string; args: string[] } {
  // The shell exports PWD; the agent's environment stays exactly what the supervisor gives it.
  const unsetPwd = env["PWD"] === undefined ? "unset PWD; " : "";
  const graceSeconds = String(Math.max(1, Math.ceil(killDeadlineMs / 1_000)));
  const prefix = plan.setsid ? [plan.setsid, "/bin/sh", "-c", unsetPwd + WATCH_SCRIPT, "aral-agent", graceSeconds] : [];
  if (procsFiles.length === 0 && prefix.length === 0) return { command, args: [...args] };
  return {
    command: "/bin/sh",
    args: ["-c", unsetPwd + JOIN_SCRIPT, "aral-instance", ...procsFiles, "--", ...prefix, command, ...args],
  };
}

let reaping: Promise<string[]> | undefined;

/**
 * Once per process: reap the cgroups of supervisors that died (see reapLeftoverCgroups). The first caller gets
 * what was reaped (to report it); every later one gets [] once that reaping is done, so it is reported once.
 */
export function reapOnce(
  platform: Pick<Platform, "fs" | "process">,
  clock: Clock,
  host: CgroupHost,
): Promise<string[]> {
  if (reaping !== undefined) return reaping.then(() => []);
  reaping = reapLeftoverCgroups(platform, clock, host).catch(() => []);
  return reaping;
}

function limitStatus(set: boolean, kernel: boolean, sampled: boolean): LimitEnforcement {
  if (!set) return "unset";
  return kernel ? "kernel" : sampled ? "sampled" : "not enforced";
}

/** The report for limits as set, given what the instance cgroup really enforces (undefined: no cgroup). */
export function enforcementReport(
  plan: IsolationPlan,
  limits: CgroupLimits,
  enforced: KernelEnforced | undefined,
  options: { memorySampled: boolean; reason?: string },
): EnforcementReport {
  const cgroup = enforced !== undefined && plan.host !== undefined;
  const reason = options.reason ?? plan.cgroupReason;
  return {
    mechanism: cgroup ? (plan.host!.version === 2 ? "cgroup v2" : "cgroup v1") : "none",
    ...(!cgroup && reason !== undefined ? { reason } : {}),
    memory: limitStatus(limits.memoryBytes !== undefined, enforced?.memory ?? false, options.memorySampled),
    swap: limitStatus(limits.memoryBytes !== undefined && !limits.swap, enforced?.swap ?? false, false),
    cpuLimit: limitStatus(limits.cpuLimitCores !== undefined, enforced?.cpuLimit ?? false, false),
    cpuRequest: limitStatus(limits.cpuRequestCores !== undefined, enforced?.cpuRequest ?? false, false),
    pids: limitStatus(limits.pidsLimit !== undefined, enforced?.pids ?? false, false),
    containment: cgroup ? "cgroup" : plan.setsid ? "process group" : "agent only",
    supervisorDeath: plan.setsid ? "signal" : "not detected",
  };
}
