import type { Clock, Platform } from "@aral/platform";
import { signalProcesses } from "../signal-processes.ts";
import type { CgroupHost, V1Controller } from "./detect.ts";
import { cpuMax, cpuShares, cpuWeight, type CgroupLimits } from "./limits.ts";

type CgroupPlatform = Pick<Platform, "fs" | "process">;

/** Which limits this instance cgroup really enforces (a controller may be missing or refuse the write). */
export interface KernelEnforced {
  readonly memory: boolean;
  readonly swap: boolean;
  readonly cpuLimit: boolean;
  readonly cpuRequest: boolean;
  readonly pids: boolean;
}

/** The cgroup's own accounting. */
export interface CgroupUsage {
  /** Memory charged to the instance (v2 memory.current, v1 memory.usage_in_bytes). */
  readonly memoryBytes: number;
  /** Highest memory charged so far (v2 memory.peak, v1 memory.max_usage_in_bytes), when the kernel reports it. */
  readonly memoryPeakBytes: number | null;
  /** CPU time of every process of the instance, in microseconds. */
  readonly cpuMicros: number | null;
  /** Tasks (processes and threads) in the instance. */
  readonly pids: number | null;
}

/** A cgroup could not be created or configured; `path` names the file or directory that refused. */
export class CgroupSetupError extends Error {
  override readonly name = "CgroupSetupError";
  readonly path: string;
  constructor(path: string, cause: unknown) {
    // A PlatformError's message already names the path.
    super(
      cause instanceof Error && cause.message.includes(path)
        ? `cannot set up the instance cgroup: ${cause.message}`
        : `cannot set up the instance cgroup at ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.path = path;
  }
}

const EMPTY_POLL_MS = 20;
const EMPTY_DEADLINE_MS = 5_000;

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

async function readNumber(platform: CgroupPlatform, path: string): Promise<number | null> {
  try {
    const value = Number((await platform.fs.readTextFile(path)).trim().split(/\s+/)[0]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** "key value" lines (memory.events, memory.oom_control, cpu.stat) -> the value of `key`. */
export function keyedValue(text: string, key: string): number | null {
  const match = new RegExp(`^${key}\\s+(\\d+)\\s*$`, "m").exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * One instance's cgroup (v2: one directory; v1: one per controller hierarchy), created with its limits
 * before the agent runs: the spawn wrapper writes the agent's pid into every `procsFiles` entry before
 * exec. Kills everything in it on stop and is removed when the run ends.
 */
export class InstanceCgroup {
  readonly #platform: CgroupPlatform;
  readonly #clock: Clock;
  readonly version: 1 | 2;
  /** Every directory of this cgroup (v1: one per hierarchy, deduplicated). */
  readonly directories: readonly string[];
  readonly #byController: Partial<Record<V1Controller, string>>;
  readonly enforced: KernelEnforced;

  /** Use InstanceCgroup.create (or fromExisting for a leftover); this only records what is already there. */
  constructor(
    platform: CgroupPlatform,
    clock: Clock,
    version: 1 | 2,
    byController: Partial<Record<V1Controller, string>>,
    enforced: KernelEnforced,
  ) {
    this.#platform = platform;
    this.#clock = clock;
    this.version = version;
    this.#byController = byController;
    this.directories = [...new Set(Object.values(byController))];
    this.enforced = enforced;
  }

  /** Files the wrapper writes the agent's pid into (joining every hierarchy). */
  get procsFiles(): string[] {
    return this.directories.map((directory) => `${directory}/cgroup.procs`);
  }

  /** Creates `<parent>/<name>` and writes the limits; throws CgroupSetupError when the memory limit cannot be set. */
  static async create(
    platform: CgroupPlatform,
    clock: Clock,
    host: CgroupHost,
    name: string,
    limits: CgroupLimits,
  ): Promise<InstanceCgroup> {
    return host.version === 2
      ? createV2(platform, clock, host, name, limits)
      : createV1(platform, clock, host, name, limits);
  }

  static fromExisting(
    platform: CgroupPlatform,
    clock: Clock,
    version: 1 | 2,
    byController: Partial<Record<V1Controller, string>>,
  ): InstanceCgroup {
    return new InstanceCgroup(platform, clock, version, byController, {
      memory: false,
      swap: false,
      cpuLimit: false,
      cpuRequest: false,
      pids: false,
    });
  }

  /** The pids in the cgroup now (every hierarchy holds them all; the first is read). */
  async members(): Promise<number[]> {
    const directory = this.directories[0];
    if (!directory) return [];
    try {
      const text = await this.#platform.fs.readTextFile(`${directory}/cgroup.procs`);
      return text
        .split("\n")
        .filter(Boolean)
        .map(Number)
        .filter((pid) => Number.isInteger(pid) && pid > 0);
    } catch {
      return [];
    }
  }

  async usage(): Promise<CgroupUsage | null> {
    const fs = this.#platform;
    if (this.version === 2) {
      const directory = this.directories[0]!;
      const memoryBytes = await readNumber(fs, `${directory}/memory.current`);
      if (memoryBytes === null) return null;
      let cpuMicros: number | null = null;
      try {
        cpuMicros = keyedValue(await this.#platform.fs.readTextFile(`${directory}/cpu.stat`), "usage_usec");
      } catch {
        // cpu.stat is always there in v2; a vanished cgroup is the only failure
      }
      return {
        memoryBytes,
        memoryPeakBytes: await readNumber(fs, `${directory}/memory.peak`),
        cpuMicros,
        pids: await readNumber(fs, `${directory}/pids.current`),
      };
    }
    const memory = this.#byController.memory;
    const memoryBytes = memory ? await readNumber(fs, `${memory}/memory.usage_in_bytes`) : null;
    if (memoryBytes === null) return null;
    const cpuacct = this.#byController.cpuacct;
    const cpuNanos = cpuacct ? await readNumber(fs, `${cpuacct}/cpuacct.usage`) : null;
    const pids = this.#byController.pids;
    return {
      memoryBytes,
      memoryPeakBytes: await readNumber(fs, `${memory}/memory.max_usage_in_bytes`),
      cpuMicros: cpuNanos === null ? null : Math.round(cpuNanos / 1_000),
      pids: pids ? await readNumber(fs, `${pids}/pids.current`) : null,
    };
  }

  /** How many processes the kernel's OOM killer ended in this cgroup (v2 memory.events, v1 memory.oom_control). */
  async oomKills(): Promise<number> {
    const memory = this.version === 2 ? this.directories[0] : this.#byController.memory;
    if (!memory) return 0;
    try {
      const text = await this.#platform.fs.readTextFile(
        this.version === 2 ? `${memory}/memory.events` : `${memory}/memory.oom_control`,
      );
      return keyedValue(text, "oom_kill") ?? 0;
    } catch {
      return 0;
    }
  }

  /** SIGKILLs every process in the cgroup (v2 cgroup.kill where the kernel has it) and waits until it is empty. */
  async kill(): Promise<boolean> {
    const deadline = this.#clock.now() + EMPTY_DEADLINE_MS;
    let usedKillFile = false;
    for (;;) {
      const pids = await this.members();
      if (pids.length === 0) return true;
      if (this.version === 2 && !usedKillFile) {
        usedKillFile = true;
        try {
          await this.#platform.fs.writeFile(`${this.directories[0]}/cgroup.kill`, "1");
        } catch {
          await signalProcesses(this.#platform, "KILL", pids);
        }
      } else {
        await signalProcesses(this.#platform, "KILL", pids);
      }
      if (this.#clock.now() > deadline) return false;
      await this.#clock.sleep(EMPTY_POLL_MS);
    }
  }

  /** Kills what is left and removes every directory of the cgroup; false when one could not be removed. */
  async remove(): Promise<boolean> {
    await this.kill();
    let removed = true;
    for (const directory of this.directories) {
      const deadline = this.#clock.now() + EMPTY_DEADLINE_MS;
      for (;;) {
        try {
          await this.#platform.fs.remove(directory);
          break;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (code === "NotFound") break;
          // a process that was just killed may still be leaving: EBUSY for a moment; a permission never comes
          if (code === "PermissionDenied" || this.#clock.now() > deadline) {
            removed = false;
            break;
          }
          await this.#clock.sleep(EMPTY_POLL_MS);
        }
      }
    }
    return removed;
  }
}

async function tryWrite(platform: CgroupPlatform, path: string, value: string): Promise<boolean> {
  try {
    await platform.fs.writeFile(path, value);
    return true;
  } catch {
    return false;
  }
}

async function makeDirectory(platform: CgroupPlatform, path: string): Promise<void> {
  // A few tries: another supervisor may remove the empty `aral` parent between our mkdirs (removeEmptyParents).
  for (let attempt = 1; ; attempt++) {
    try {
      await platform.fs.mkdir(path, { recursive: true });
      return;
    } catch (error) {
      if (attempt >= 3 || (error as { code?: unknown }).code !== "NotFound") throw new CgroupSetupError(path, error);
    }
  }
}

async function createV2(
  platform: CgroupPlatform,
  clock: Clock,
  host: Extract<CgroupHost, { version: 2 }>,
  name: string,
  limits: CgroupLimits,
): Promise<InstanceCgroup> {
  await makeDirectory(platform, host.parent);
  // Controllers reach a cgroup only when every ancestor enables them for its children.
  for (const level of [dirname(host.parent), host.parent]) {
    for (const controller of host.controllers)
      await tryWrite(platform, `${level}/cgroup.subtree_control`, `+${controller}`);
  }
  const directory = `${host.parent}/${name}`;
  await makeDirectory(platform, directory);
  let enabled: string[] = [];
  try {
    enabled = (await platform.fs.readTextFile(`${directory}/cgroup.controllers`)).trim().split(/\s+/);
  } catch (error) {
    throw new CgroupSetupError(directory, error);
  }
  const has = (controller: string) => enabled.includes(controller);
  const cgroup = (enforced: KernelEnforced) => new InstanceCgroup(platform, clock, 2, { memory: directory }, enforced);

  let memory = false;
  let swap = false;
  if (has("memory")) {
    memory = await tryWrite(
      platform,
      `${directory}/memory.max`,
      limits.memoryBytes === undefined ? "max" : String(limits.memoryBytes),
    );
    swap = limits.swap ? true : await tryWrite(platform, `${directory}/memory.swap.max`, "0");
  }
  if (limits.memoryBytes !== undefined && !memory) {
    await platform.fs.remove(directory).catch(() => undefined);
    throw new CgroupSetupError(`${directory}/memory.max`, "the memory controller is not enabled or refused the limit");
  }
  const cpuLimit =
    has("cpu") && limits.cpuLimitCores !== undefined
      ? await tryWrite(
          platform,
          `${directory}/cpu.max`,
          `${cpuMax(limits.cpuLimitCores).quotaUs} ${cpuMax(limits.cpuLimitCores).periodUs}`,
        )
      : false;
  const cpuRequest =
    has("cpu") && limits.cpuRequestCores !== undefined
      ? await tryWrite(platform, `${directory}/cpu.weight`, String(cpuWeight(limits.cpuRequestCores)))
      : false;
  const pids =
    has("pids") && limits.pidsLimit !== undefined
      ? await tryWrite(platform, `${directory}/pids.max`, String(limits.pidsLimit))
      : false;
  return cgroup({
    memory: memory && limits.memoryBytes !== undefined,
    swap: !limits.swap && swap,
    cpuLimit,
    cpuRequest,
    pids,
  });
}

async function createV1(
  platform: CgroupPlatform,
  clock: Clock,
  host: Extract<CgroupHost, { version: 1 }>,
  name: string,
  limits: CgroupLimits,
): Promise<InstanceCgroup> {
  const byController: Partial<Record<V1Controller, string>> = {};
  for (const [controller, parent] of Object.entries(host.parents) as [V1Controller, string][]) {
    const directory = `${parent}/${name}`;
    try {
      await makeDirectory(platform, directory);
      byController[controller] = directory;
    } catch (error) {
      if (controller === "memory") throw error;
    }
  }
  const built = new InstanceCgroup(platform, clock, 1, byController, {
    memory: false,
    swap: false,
    cpuLimit: false,
    cpuRequest: false,
    pids: false,
  });
  const fail = async (path: string, cause: string): Promise<never> => {
    await built.remove();
    throw new CgroupSetupError(path, cause);
  };

  const memoryDir = byController.memory!;
  let memory = false;
  let swap = false;
  if (limits.memoryBytes !== undefined) {
    memory = await tryWrite(platform, `${memoryDir}/memory.limit_in_bytes`, String(limits.memoryBytes));
    if (!memory) await fail(`${memoryDir}/memory.limit_in_bytes`, "the kernel refused the memory limit");
    if (!limits.swap) {
      // memsw (memory + swap) exists only with swap accounting on; swappiness 0 at least keeps anonymous memory out of swap
      const memsw = await tryWrite(platform, `${memoryDir}/memory.memsw.limit_in_bytes`, String(limits.memoryBytes));
      const swappiness = await tryWrite(platform, `${memoryDir}/memory.swappiness`, "0");
      swap = memsw || swappiness;
    }
  }
  const cpuDir = byController.cpu;
  let cpuLimit = false;
  let cpuRequest = false;
  if (cpuDir && limits.cpuLimitCores !== undefined) {
    const { quotaUs, periodUs } = cpuMax(limits.cpuLimitCores);
    cpuLimit =
      (await tryWrite(platform, `${cpuDir}/cpu.cfs_period_us`, String(periodUs))) &&
      (await tryWrite(platform, `${cpuDir}/cpu.cfs_quota_us`, String(quotaUs)));
  }
  if (cpuDir && limits.cpuRequestCores !== undefined)
    cpuRequest = await tryWrite(platform, `${cpuDir}/cpu.shares`, String(cpuShares(limits.cpuRequestCores)));
  const pidsDir = byController.pids;
  const pids =
    pidsDir && limits.pidsLimit !== undefined
      ? await tryWrite(platform, `${pidsDir}/pids.max`, String(limits.pidsLimit))
      : false;
  return new InstanceCgroup(platform, clock, 1, byController, { memory, swap, cpuLimit, cpuRequest, pids });
}
