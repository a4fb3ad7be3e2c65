import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlatformError, systemClock, type Clock } from "@aral/platform";
import { describe, expect, it } from "vitest";
import { reapLeftoverCgroups } from "../src/cgroup/reap.ts";
import { platform } from "./helpers.ts";

/** A pid no process has (above the kernel's pid_max). */
const DEAD_PID = 4_194_304 + 1;

/** The real clock, counting the waits asked of it. */
function countingClock(): Clock & { sleeps: number } {
  const clock = {
    sleeps: 0,
    now: () => systemClock.now(),
    sleep(ms: number, signal?: AbortSignal) {
      clock.sleeps++;
      return systemClock.sleep(ms, signal);
    },
  };
  return clock as Clock & { sleeps: number };
}

describe("reaping leftover cgroups", () => {
  it("another user's leftover (removal refused: PermissionDenied) is skipped at once: nothing killed, nothing waited for", async () => {
    // A cgroup hierarchy stand-in: the parent holds a dead supervisor's instance directory.
    const parent = mkdtempSync(join(tmpdir(), "aral-reap-"));
    const leftover = join(parent, `${DEAD_PID}-api-0-1`);
    mkdirSync(leftover);
    writeFileSync(join(leftover, "cgroup.procs"), "");
    const removals: string[] = [];
    const spawns: string[] = [];
    const foreign = {
      fs: Object.create(platform.fs, {
        remove: {
          value: async (path: string) => {
            removals.push(path);
            throw new PlatformError("PermissionDenied", `PermissionDenied: rmdir '${path}' failed: EACCES`, { path });
          },
        },
      }),
      process: Object.create(platform.process, {
        spawn: {
          value: (command: string) => {
            spawns.push(command);
            throw new Error("nothing is to be killed");
          },
        },
      }),
    } as typeof platform;
    const clock = countingClock();
    const reaped = await reapLeftoverCgroups(foreign, clock, { version: 2, parent, controllers: new Set() });
    expect(reaped).toEqual([]);
    expect(removals).toEqual([leftover]);
    expect(spawns).toEqual([]);
    expect(clock.sleeps).toBe(0);
  });

  it("an empty leftover of our own is removed, and named as reaped", async () => {
    const parent = mkdtempSync(join(tmpdir(), "aral-reap-"));
    mkdirSync(join(parent, `${DEAD_PID}-api-0-2`));
    const reaped = await reapLeftoverCgroups(platform, countingClock(), { version: 2, parent, controllers: new Set() });
    expect(reaped).toEqual([`${DEAD_PID}-api-0-2`]);
  });
});
