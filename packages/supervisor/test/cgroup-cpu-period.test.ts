// A CPU limit under 10m on the real kernel: the quota has a 1 ms minimum, so in 100 ms periods "1m" was held as 10m
// while reported "kernel". The instance cgroup gets a longer period instead; read back from the kernel's own files.
import { readFileSync } from "node:fs";
import { systemClock } from "@aral/platform";
import { describe, expect, it } from "vitest";
import { detectCgroups, type CgroupHost } from "../src/cgroup/detect.ts";
import { InstanceCgroup } from "../src/cgroup/instance-cgroup.ts";
import { instanceCgroupName } from "../src/cgroup/reap.ts";
import { platform } from "./helpers.ts";

async function hostOrReason(): Promise<CgroupHost | string> {
  if (process.platform !== "linux") return `cgroups are Linux-only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "creating cgroups needs root (or a delegated subtree); CI runs these as root";
  const detection = await detectCgroups(platform);
  return "host" in detection ? detection.host : detection.unusable;
}
const host = await hostOrReason();
const cpuOf = (cgroup: InstanceCgroup): { quota: number; period: number } => {
  if (cgroup.version === 2) {
    const [quota, period] = readFileSync(`${cgroup.directories[0]}/cpu.max`, "utf8").trim().split(" ");
    return { quota: Number(quota), period: Number(period) };
  }
  const dir = cgroup.directories.find((directory) => {
    try {
      readFileSync(`${directory}/cpu.cfs_quota_us`);
      return true;
    } catch {
      return false;
    }
  })!;
  const read = (file: string) => Number(readFileSync(`${dir}/${file}`, "utf8").trim());
  return { quota: read("cpu.cfs_quota_us"), period: read("cpu.cfs_period_us") };
};

describe.skipIf(typeof host === "string")(
  `cpu.limit under 10m holds its ratio in the kernel${typeof host === "string" ? ` (skipped: ${host})` : ""}`,
  () => {
    it.each([
      [0.001, 0.001],
      [0.005, 0.005],
      [0.25, 0.25],
      [0.0005, 0.001], // below what the kernel can hold: the least it takes, 1m
    ])("cpu.limit %s cores -> quota / period = %s", async (cores, held) => {
      const cgroup = await InstanceCgroup.create(
        platform,
        systemClock,
        host as CgroupHost,
        instanceCgroupName(process.pid, `cpu-${cores}`, 1),
        { swap: true, cpuLimitCores: cores },
      );
      try {
        expect(cgroup.enforced.cpuLimit).toBe(true);
        const { quota, period } = cpuOf(cgroup);
        expect(quota / period).toBeCloseTo(held, 6);
      } finally {
        await cgroup.remove();
      }
    });
  },
);
