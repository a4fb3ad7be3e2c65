import type { Clock, Platform } from "@aral/platform";
import { ensureControlDir, controlDir } from "./control/socket-path.ts";
import { signalProcesses } from "./signal-processes.ts";

/**
 * Without cgroups, the only handle on an instance after its supervisor died is its process group. Each run
 * of such an instance leaves a record `<dir>/<supervisor pid>-<name>-<run>.json`; the next supervisor of the
 * same user reads the records of supervisors that are gone and ends their groups. Start times (from
 * /proc/<pid>/stat) make a reused pid harmless: a process that is not the one recorded is never signalled.
 */
export interface ProcessGroupRecord {
  readonly supervisor: { readonly pid: number; readonly start: string };
  /** The agent's pid, which leads its own process group (setsid): also the group id. */
  readonly pid: number;
  readonly start: string;
  /** After SIGTERM, when the group is SIGKILLed. */
  readonly graceMs: number;
}

/** Where the records live: `<control dir>/instances` (the control dir is the user's own, mode 0700). */
export async function recordDir(platform: Pick<Platform, "fs" | "env">): Promise<string> {
  return `${await controlDir(platform)}/instances`;
}

/**
 * The start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined when no
 * such process exists. Together with the pid it names one process: a pid can be reused, this pair cannot.
 */
export async function processStartTime(platform: Pick<Platform, "fs">, pid: number): Promise<string | undefined> {
  let stat: string;
  try {
    stat = await platform.fs.readTextFile(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined; // dead, only not yet reaped
  return fields[19];
}

function recordPath(dir: string, name: string): string {
  return `${dir}/${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`;
}

/** Writes the record of a run; returns its path, or undefined when it cannot be written (said by the caller). */
export async function writeProcessGroupRecord(
  platform: Pick<Platform, "fs" | "env" | "process">,
  name: string,
  pid: number,
  graceMs: number,
): Promise<string | undefined> {
  const [start, supervisorStart] = await Promise.all([
    processStartTime(platform, pid),
    processStartTime(platform, platform.process.pid),
  ]);
  if (start === undefined || supervisorStart === undefined) return undefined;
  const base = await controlDir(platform);
  await ensureControlDir(platform, base);
  const dir = `${base}/instances`;
  await platform.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const record: ProcessGroupRecord = {
    supervisor: { pid: platform.process.pid, start: supervisorStart },
    pid,
    start,
    graceMs,
  };
  const path = recordPath(dir, name);
  await platform.fs.writeFile(path, JSON.stringify(record), { mode: 0o600 });
  return path;
}

function parseRecord(text: string): ProcessGroupRecord | undefined {
  try {
    const value = JSON.parse(text) as ProcessGroupRecord;
    const ok =
      Number.isInteger(value.pid) &&
      value.pid > 1 &&
      typeof value.start === "string" &&
      Number.isInteger(value.supervisor?.pid) &&
      typeof value.supervisor.start === "string" &&
      typeof value.graceMs === "number";
    return ok ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface ReapedGroup {
  readonly pid: number;
  /**
   * "killed": the recorded agent was still there past its watcher's deadline and its group was ended here; "gone":
   * it ended by itself or by its watcher (what was left of its group was SIGKILLed); "reused": its pid now
   * belongs to another process, left alone.
   */
  readonly outcome: "killed" | "gone" | "reused";
}

/**
 * Ends the process groups that supervisors no longer alive left behind and removes their records: an agent
 * still there once its watcher's deadline has passed (grace period + 1 s) gets SIGTERM, then SIGKILL to its group
 * after the grace period. A pid now held by another process is never signalled.
 */
export async function reapLeftoverProcessGroups(
  platform: Pick<Platform, "fs" | "env" | "process">,
  clock: Clock,
  dir: string,
): Promise<ReapedGroup[]> {
  let names: string[];
  try {
    names = (await platform.fs.readDir(dir)).filter((e) => e.name.endsWith(".json")).map((e) => e.name);
  } catch {
    return [];
  }
  const reaped: ReapedGroup[] = [];
  await Promise.all(
    names.map(async (name) => {
      const path = `${dir}/${name}`;
      const record = parseRecord(await platform.fs.readTextFile(path).catch(() => ""));
      if (record && record.supervisor.pid !== platform.process.pid) {
        const owner = await processStartTime(platform, record.supervisor.pid);
        if (owner === record.supervisor.start) return; // its supervisor still runs it
        reaped.push({ pid: record.pid, outcome: await endGroup(platform, clock, record) });
      }
      await platform.fs.remove(path).catch(() => undefined);
    }),
  );
  return reaped;
}

/** How much longer than its kill deadline a dead supervisor's watcher is given to end the agent by itself. */
const WATCHER_MARGIN_MS = 1_000;

async function endGroup(
  platform: Pick<Platform, "fs" | "process">,
  clock: Clock,
  record: ProcessGroupRecord,
): Promise<ReapedGroup["outcome"]> {
  const isTheAgent = async () => (await processStartTime(platform, record.pid)) === record.start;
  const goneWithin = async (ms: number) => {
    const deadline = clock.now() + ms;
    while (clock.now() < deadline && (await isTheAgent())) await clock.sleep(50);
    return !(await isTheAgent());
  };
  if (!(await isTheAgent())) return (await processStartTime(platform, record.pid)) === undefined ? "gone" : "reused";
  // The dead supervisor's watcher, if it lives, has sent the agent its one SIGTERM and SIGKILLs the group at the
  // deadline: a second SIGTERM now would read as "force the stop". Only an agent still there after that is ours.
  const endedByWatcher = await goneWithin(record.graceMs + WATCHER_MARGIN_MS);
  if (!endedByWatcher) {
    await signalProcesses(platform, "TERM", [-record.pid]);
    await goneWithin(record.graceMs);
  }
  // Grandchildren may outlive the agent; the group id cannot be handed out again while any of them lives.
  if ((await isTheAgent()) || (await processStartTime(platform, record.pid)) === undefined)
    await signalProcesses(platform, "KILL", [-record.pid]);
  return endedByWatcher ? "gone" : "killed";
}
