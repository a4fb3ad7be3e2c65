import type { Platform } from "@aral/platform";

/** The v1 controllers an instance cgroup uses (cpuacct gives the CPU time when it is not co-mounted with cpu). */
export const V1_CONTROLLERS = ["memory", "cpu", "cpuacct", "pids"] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];
/** The v2 controllers an instance cgroup enables. */
export const V2_CONTROLLERS = ["memory", "cpu", "pids"] as const;
export type V2Controller = (typeof V2_CONTROLLERS)[number];

/** Where the kernel's cgroups are mounted and which controllers the supervisor can use, found at start. */
export type CgroupHost =
  | {
      readonly version: 2;
      /** Directory under which instance cgroups are made (`<mount>/aral`, or a delegated subtree). */
      readonly parent: string;
      readonly controllers: ReadonlySet<V2Controller>;
    }
  | {
      readonly version: 1;
      /** Per controller: the directory under which instance cgroups are made (`<mount><own cgroup>/aral`). */
      readonly parents: Readonly<Partial<Record<V1Controller, string>>>;
    };

/** `notice`: something the caller asked for that this host does not do (said once by the supervisor). */
export type CgroupDetection = { readonly host: CgroupHost; readonly notice?: string } | { readonly unusable: string };

export interface CgroupMount {
  readonly mountPoint: string;
  /** Path inside the hierarchy that is mounted at mountPoint ("/" normally; a container's own cgroup otherwise). */
  readonly root: string;
  readonly version: 1 | 2;
  /** v1: the controllers bound to this hierarchy (from the super options). v2: empty (read cgroup.controllers). */
  readonly controllers: readonly string[];
}

/** An absolute path with "." and ".." resolved and no trailing "/". */
function normalizeDirectory(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** The cgroup mounts listed in /proc/self/mountinfo. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split("\n")) {
    const separator = line.indexOf(" - ");
    if (separator < 0) continue;
    const before = line.slice(0, separator).split(" ");
    const [fsType, , superOptions = ""] = line.slice(separator + 3).split(" ");
    const root = before[3];
    const mountPoint = before[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fsType === "cgroup2")
      mounts.push({
        mountPoint: unescapeMountPath(mountPoint),
        root: unescapeMountPath(root),
        version: 2,
        controllers: [],
      });
    else if (fsType === "cgroup") {
      const controllers = superOptions
        .split(",")
        .filter((option) => (V1_CONTROLLERS as readonly string[]).includes(option));
      mounts.push({
        mountPoint: unescapeMountPath(mountPoint),
        root: unescapeMountPath(root),
        version: 1,
        controllers,
      });
    }
  }
  return mounts;
}

/** The process's own cgroup per v1 controller ("memory" -> "/x/y") and in v2 (key ""), from /proc/self/cgroup. */
export function parseOwnCgroups(procSelfCgroup: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of procSelfCgroup.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, controllers = "", path = "/"] = match;
    if (controllers === "") own.set("", path);
    for (const controller of controllers.split(",")) if (controller) own.set(controller, path);
  }
  return own;
}

/** The directory of `ownPath` inside a hierarchy mounted at mount.mountPoint. */
function ownDirectory(mount: CgroupMount, ownPath: string): string {
  const inside = mount.root !== "/" && ownPath.startsWith(mount.root) ? ownPath.slice(mount.root.length) : ownPath;
  return `${mount.mountPoint}${inside === "/" ? "" : inside}`.replace(/\/+$/, "") || "/";
}

export interface DetectOptions {
  /** A cgroup directory the supervisor may create instance cgroups under (a delegated v2 subtree). */
  readonly parent?: string;
}

/**
 * Finds out, never assumes, which cgroup version this host offers: v2 when its mount has the memory
 * controller (production hosts), else v1 (memory, cpu, cpuacct, pids hierarchies), else unusable with the
 * reason. Whether the supervisor may write there is learnt when the instance cgroup is created.
 */
export async function detectCgroups(
  platform: Pick<Platform, "fs" | "runtime">,
  options: DetectOptions = {},
): Promise<CgroupDetection> {
  if (platform.runtime.os !== "linux")
    return { unusable: `cgroups exist only on Linux (this is ${platform.runtime.os})` };
  let mountinfo: string;
  let ownText: string;
  try {
    mountinfo = await platform.fs.readTextFile("/proc/self/mountinfo");
    ownText = await platform.fs.readTextFile("/proc/self/cgroup");
  } catch (error) {
    return {
      unusable: `cannot read /proc/self/mountinfo or /proc/self/cgroup: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const mounts = parseCgroupMounts(mountinfo);
  const own = parseOwnCgroups(ownText);

  const v2 = mounts.find((mount) => mount.version === 2);
  if (v2) {
    let available: string[] = [];
    try {
      available = (await platform.fs.readTextFile(`${v2.mountPoint}/cgroup.controllers`)).trim().split(/\s+/);
    } catch {
      // no controllers file: treat as a v2 mount without controllers
    }
    const controllers = new Set(V2_CONTROLLERS.filter((controller) => available.includes(controller)));
    if (controllers.has("memory")) {
      if (options.parent === undefined) return { host: { version: 2, parent: `${v2.mountPoint}/aral`, controllers } };
      // A delegated subtree is a cgroup: a directory below the mount. Anywhere else the supervisor would make
      // directories and write cgroup.subtree_control / memory.max as plain files (outside /sys/fs/cgroup), and
      // a typo would pass for kernel enforcement until the first cgroup.controllers read failed.
      const parent = normalizeDirectory(options.parent);
      const mount = normalizeDirectory(v2.mountPoint);
      if (!parent.startsWith(`${mount === "/" ? "" : mount}/`))
        return {
          unusable: `the cgroup parent ${options.parent} (ARAL_CGROUP_PARENT) is not a directory inside the cgroup v2 mount ${v2.mountPoint}: name a delegated cgroup such as ${v2.mountPoint}/system.slice/<unit>.service/agents`,
        };
      return { host: { version: 2, parent, controllers } };
    }
  }

  const parents: Partial<Record<V1Controller, string>> = {};
  for (const controller of V1_CONTROLLERS) {
    const mount = mounts.find((candidate) => candidate.version === 1 && candidate.controllers.includes(controller));
    if (mount) parents[controller] = `${ownDirectory(mount, own.get(controller) ?? "/")}/aral`;
  }
  if (parents.memory)
    return {
      host: { version: 1, parents },
      ...(options.parent !== undefined
        ? {
            notice: `the cgroup parent ${options.parent} (ARAL_CGROUP_PARENT) is not used: this host's memory controller is on cgroup v1, where instance cgroups go under the supervisor's own cgroup of each hierarchy (a delegated parent is a cgroup v2 subtree)`,
          }
        : {}),
    };
  return {
    unusable: v2
      ? `the cgroup v2 mount at ${v2.mountPoint} offers no memory controller and no v1 memory hierarchy is mounted`
      : "no cgroup filesystem with a memory controller is mounted",
  };
}
