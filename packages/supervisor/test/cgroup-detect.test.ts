import { describe, expect, it } from "vitest";
import { detectCgroups, parseCgroupMounts, parseOwnCgroups } from "../src/cgroup/detect.ts";
import { cpuMax, cpuShares, cpuWeight } from "../src/cgroup/limits.ts";
import { instanceCgroupName, supervisorPidOf } from "../src/cgroup/reap.ts";
import { platform } from "./helpers.ts";

// A pure cgroup v2 host (production): one cgroup2 mount at /sys/fs/cgroup, the process in a systemd unit.
const V2_MOUNTINFO = [
  "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
  "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
].join("\n");
// This box's hybrid layout: v1 controllers, plus a v2 mount without controllers.
const HYBRID_MOUNTINFO = [
  "40 30 0:40 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "41 30 0:41 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
  "42 30 0:42 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
  "43 30 0:43 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");

function fakeHost(files: Record<string, string>) {
  return {
    runtime: { ...platform.runtime, os: "linux" },
    fs: {
      readTextFile: async (path: string) => {
        if (path in files) return files[path]!;
        throw Object.assign(new Error(`NotFound: ${path}`), { code: "NotFound" });
      },
    },
  } as unknown as Parameters<typeof detectCgroups>[0];
}

describe("cgroup detection (never assumed)", () => {
  it("parses cgroup mounts from mountinfo: v1 controllers from the super options, v2 by fs type", () => {
    expect(parseCgroupMounts(HYBRID_MOUNTINFO)).toEqual([
      { mountPoint: "/sys/fs/cgroup/memory", root: "/", version: 1, controllers: ["memory"] },
      { mountPoint: "/sys/fs/cgroup/cpu,cpuacct", root: "/", version: 1, controllers: ["cpu", "cpuacct"] },
      { mountPoint: "/sys/fs/cgroup/pids", root: "/", version: 1, controllers: ["pids"] },
      { mountPoint: "/sys/fs/cgroup/unified", root: "/", version: 2, controllers: [] },
    ]);
    expect(parseOwnCgroups("4:memory:/process_api/x\n2:cpu,cpuacct:/\n0::/user.slice\n")).toEqual(
      new Map([
        ["memory", "/process_api/x"],
        ["cpu", "/"],
        ["cpuacct", "/"],
        ["", "/user.slice"],
      ]),
    );
  });

  it("a pure v2 host with the memory controller → v2 under <mount>/aral, with the controllers it lists", async () => {
    const detection = await detectCgroups(
      fakeHost({
        "/proc/self/mountinfo": V2_MOUNTINFO,
        "/proc/self/cgroup": "0::/system.slice/agent.service\n",
        "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
      }),
    );
    expect(detection).toEqual({
      host: { version: 2, parent: "/sys/fs/cgroup/aral", controllers: new Set(["memory", "cpu", "pids"]) },
    });
    const delegated = await detectCgroups(
      fakeHost({
        "/proc/self/mountinfo": V2_MOUNTINFO,
        "/proc/self/cgroup": "0::/\n",
        "/sys/fs/cgroup/cgroup.controllers": "memory pids",
      }),
      { parent: "/sys/fs/cgroup/agents.slice/aral" },
    );
    expect("host" in delegated && delegated.host).toMatchObject({
      version: 2,
      parent: "/sys/fs/cgroup/agents.slice/aral",
    });
  });

  it("a v2 mount without controllers next to v1 hierarchies (this box's layout) → v1, nested under the process's own cgroups", async () => {
    const detection = await detectCgroups(
      fakeHost({
        "/proc/self/mountinfo": HYBRID_MOUNTINFO,
        "/proc/self/cgroup": "4:memory:/process_api/x\n2:cpu,cpuacct:/\n8:pids:/\n0::/\n",
        "/sys/fs/cgroup/unified/cgroup.controllers": "",
      }),
    );
    expect(detection).toEqual({
      host: {
        version: 1,
        parents: {
          memory: "/sys/fs/cgroup/memory/process_api/x/aral",
          cpu: "/sys/fs/cgroup/cpu,cpuacct/aral",
          cpuacct: "/sys/fs/cgroup/cpu,cpuacct/aral",
          pids: "/sys/fs/cgroup/pids/aral",
        },
      },
    });
  });

  it("no cgroup filesystem, or another OS → unusable, with the reason", async () => {
    expect(
      await detectCgroups(
        fakeHost({ "/proc/self/mountinfo": "22 1 0:21 / / rw - ext4 /dev/sda1 rw", "/proc/self/cgroup": "" }),
      ),
    ).toEqual({ unusable: "no cgroup filesystem with a memory controller is mounted" });
    const mac = { ...fakeHost({}), runtime: { ...platform.runtime, os: "darwin" } } as Parameters<
      typeof detectCgroups
    >[0];
    expect(await detectCgroups(mac)).toEqual({ unusable: "cgroups exist only on Linux (this is darwin)" });
  });

  it("limit values: quota per 100 ms period (longer under 10m), shares 1024 per core, weight by the Kubernetes formula; names carry the supervisor pid", () => {
    expect(cpuMax(0.25)).toEqual({ quotaUs: 25_000, periodUs: 100_000 });
    expect(cpuMax(2)).toEqual({ quotaUs: 200_000, periodUs: 100_000 });
    expect(cpuMax(0.01)).toEqual({ quotaUs: 1_000, periodUs: 100_000 });
    // the kernel's 1 ms minimum quota in a 100 ms period held these as 10m: a longer period keeps the ratio
    expect(cpuMax(0.005)).toEqual({ quotaUs: 1_000, periodUs: 200_000 });
    expect(cpuMax(0.001)).toEqual({ quotaUs: 1_000, periodUs: 1_000_000 });
    // below what a 1 s period can hold: 1m, the least the kernel takes
    expect(cpuMax(0.0001)).toEqual({ quotaUs: 1_000, periodUs: 1_000_000 });
    expect(cpuShares(0.5)).toBe(512);
    expect(cpuWeight(1)).toBe(39);
    expect(cpuWeight(0.001)).toBe(1);
    expect(instanceCgroupName(4242, "planner/0", 3)).toBe("4242-planner_0-3");
    expect(supervisorPidOf("4242-planner_0-3")).toBe(4242);
    expect(supervisorPidOf("not-ours")).toBeNull();
  });
});
