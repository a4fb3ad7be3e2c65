// What dead supervisors left behind is reaped by the first supervisor of a process (aral up starts one per
// instance), and said once: every supervisor used to log the shared result, so a fleet of 5 printed "reaped 5 ..."
// five times. Real process groups and records; cgroups off, so this holds on any Linux host.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@aral/platform";
import { describe, expect, it } from "vitest";
import { reapOnce } from "../src/isolation.ts";
import { processStartTime } from "../src/process-group-records.ts";
import { platform, processGone, supervise } from "./helpers.ts";

const linux = process.platform === "linux";

/** A pid that no process has now: a child that has already been reaped. */
function deadPid(): number {
  return Number(spawnSync("/bin/sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

describe.skipIf(!linux)("reaping what dead supervisors left is reported once per process", () => {
  it("a fleet of 3 supervisors started together: one 'reaped 2 process group(s)' warning, not one each", async () => {
    const control = mkdtempSync(join(tmpdir(), "aral-reap-report-"));
    const records = join(control, "instances");
    mkdirSync(records, { mode: 0o700 });
    const deadSupervisor = { pid: deadPid(), start: "1" };
    const leaders: number[] = [];
    for (const name of ["a", "b"]) {
      const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
      child.unref();
      leaders.push(child.pid!);
      const start = await processStartTime(platform, child.pid!);
      writeFileSync(
        join(records, `${deadSupervisor.pid}-${name}-1.json`),
        JSON.stringify({ supervisor: deadSupervisor, pid: child.pid, start, graceMs: 500 }),
      );
    }
    const saved = process.env["ARAL_CONTROL_DIR"];
    process.env["ARAL_CONTROL_DIR"] = control;
    const warnings: string[] = [];
    const logger = { info() {}, warn: (message: string) => void warnings.push(message), error() {} };
    const fleet = ["x", "y", "z"].map((name) => supervise("graceful.mjs", { name, cgroups: "off", logger }));
    try {
      for (const { supervisor } of fleet) void supervisor.start();
      await Promise.all(fleet.map((agent) => agent.printed("ready")));
      const reaped = warnings.filter((message) => message.includes("a dead supervisor left behind"));
      expect(reaped).toHaveLength(1);
      expect(reaped[0]).toMatch(/^supervisor: reaped 2 process group\(s\) a dead supervisor left behind \(/);
      for (const pid of leaders)
        expect(processGone(pid) || (await processStartTime(platform, pid)) === undefined).toBe(true);
    } finally {
      await Promise.all(fleet.map(({ supervisor }) => supervisor.stop()));
      if (saved === undefined) delete process.env["ARAL_CONTROL_DIR"];
      else process.env["ARAL_CONTROL_DIR"] = saved;
      for (const pid of leaders) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // reaped
        }
      }
    }
  });

  it("reapOnce: the first caller gets the cgroups reaped, later callers [] once that reaping is done", async () => {
    // A cgroup hierarchy stand-in holding an empty instance cgroup of a dead supervisor.
    const parent = mkdtempSync(join(tmpdir(), "aral-reap-once-"));
    const name = `${deadPid()}-api-0-1`;
    mkdirSync(join(parent, name));
    const host = { version: 2 as const, parent, controllers: new Set<"cpu" | "memory" | "pids">() };
    const [first, second, third] = await Promise.all([
      reapOnce(platform, systemClock, host),
      reapOnce(platform, systemClock, host),
      reapOnce(platform, systemClock, host),
    ]);
    expect(first).toEqual([name]);
    expect(second).toEqual([]);
    expect(third).toEqual([]);
  });
});
