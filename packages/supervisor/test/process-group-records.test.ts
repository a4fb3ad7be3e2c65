// Reaping without cgroups: the records a supervisor leaves for each instance's process group, and what the next
// supervisor does with them. Real processes; a reused pid is imitated by a record whose start time does not match.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@aral/platform";
import { describe, expect, it } from "vitest";
import { processStartTime, reapLeftoverProcessGroups } from "../src/process-group-records.ts";
import { platform } from "./helpers.ts";

const linux = process.platform === "linux";

/** A pid that no process has now: a child that has already been reaped. */
function deadPid(): number {
  const child = spawnSync("/bin/sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

/** A `sleep` leading its own process group, with a grandchild `sleep` in the same group. */
async function groupWithGrandchild(): Promise<{ leader: number; grandchild: number }> {
  const child = spawn("/bin/sh", ["-c", "sleep 300 & echo $!; exec sleep 300"], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  child.unref();
  const grandchild = await new Promise<number>((resolve) =>
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  return { leader: child.pid!, grandchild };
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && processStartTime(platform, pid);

async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await processStartTime(platform, pid)) === undefined) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe.skipIf(!linux)("process-group records (no cgroups: what a dead supervisor left behind)", () => {
  it("reads the start time of a process from /proc/<pid>/stat, and none for a pid without a process", async () => {
    const start = await processStartTime(platform, process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(await processStartTime(platform, process.pid)).toBe(start);
    expect(await processStartTime(platform, deadPid())).toBeUndefined();
  });

  it("ends the group of a dead supervisor's agent, grandchild included; leaves a reused pid and a live supervisor's agent alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aral-records-"));
    const leftover = await groupWithGrandchild();
    const reused = await groupWithGrandchild();
    const ownedByLiveSupervisor = await groupWithGrandchild();
    const deadSupervisor = { pid: deadPid(), start: "1" };
    const record = (name: string, value: unknown) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(value));
    record("leftover", {
      supervisor: deadSupervisor,
      pid: leftover.leader,
      start: await processStartTime(platform, leftover.leader),
      graceMs: 500,
    });
    // The pid of the record now belongs to a process that started at another time: never signalled.
    record("reused", { supervisor: deadSupervisor, pid: reused.leader, start: "12345", graceMs: 2_000 });
    const liveSupervisor = { pid: process.ppid, start: await processStartTime(platform, process.ppid) };
    record("live", {
      supervisor: liveSupervisor,
      pid: ownedByLiveSupervisor.leader,
      start: await processStartTime(platform, ownedByLiveSupervisor.leader),
      graceMs: 500,
    });
    writeFileSync(join(dir, "garbage.json"), "{ not json");
    try {
      const reaped = await reapLeftoverProcessGroups(platform, systemClock, dir);
      expect(reaped.sort((a, b) => a.pid - b.pid)).toEqual(
        [
          { pid: leftover.leader, outcome: "killed" },
          { pid: reused.leader, outcome: "reused" },
        ].sort((a, b) => a.pid - b.pid),
      );
      expect(await gone(leftover.leader)).toBe(true);
      expect(await gone(leftover.grandchild)).toBe(true);
      expect(await alive(reused.leader)).toBeTruthy();
      expect(await alive(reused.grandchild)).toBeTruthy();
      expect(await alive(ownedByLiveSupervisor.leader)).toBeTruthy();
      // Records of dead supervisors (and unreadable ones) are removed; the live supervisor's stays.
      expect(readdirSync(dir)).toEqual(["live.json"]);
    } finally {
      for (const group of [reused, ownedByLiveSupervisor]) {
        try {
          process.kill(-group.leader, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  });
});
