import { PlatformError } from "@aral/platform";
import { describe, expect, it, vi } from "vitest";
import { watchSupervisor } from "../../src/lifecycle/supervisor-watch.ts";
import { until } from "../wait.ts";

const SUPERVISOR = 4242;

/** /proc/<pid>/stat text: the state is field 3, the start time field 22. */
function stat(state: string, startTime: string): string {
  const fields3to21 = Array.from({ length: 18 }, (_, i) => String(i + 1)).join(" ");
  return `${SUPERVISOR} (aral sup) ${state} ${fields3to21} ${startTime} 0 0\n`;
}

/** A platform whose parent pid and /proc/<SUPERVISOR>/stat the test scripts; every read is counted. */
function scripted(os = "linux") {
  const state = {
    ppid: 1 as number,
    proc: stat("S", "1000") as string | Error,
    reads: 0,
  };
  const platform = {
    runtime: { os },
    process: {
      get ppid() {
        return state.ppid;
      },
    },
    fs: {
      async readTextFile(path: string) {
        expect(path).toBe(`/proc/${SUPERVISOR}/stat`);
        state.reads++;
        if (state.proc instanceof Error) throw state.proc;
        return state.proc;
      },
    },
  } as unknown as Parameters<typeof watchSupervisor>[0];
  return { state, platform };
}

function watch(platform: Parameters<typeof watchSupervisor>[0], env: Record<string, string> = {}) {
  const seen: string[] = [];
  const stop = watchSupervisor(
    platform,
    { ARAL_SUPERVISOR_PID: String(SUPERVISOR), ...env },
    {
      onGone: (pid) => seen.push(`gone ${pid}`),
      onUnwatchable: (pid, reason) => seen.push(`unwatchable ${pid}: ${reason}`),
    },
    5,
  );
  return { seen, stop };
}

describe("watchSupervisor", () => {
  it("a child of the supervisor watches its parent pid, with no /proc read: gone once it is reparented", async () => {
    const { state, platform } = scripted();
    state.ppid = SUPERVISOR;
    const { seen, stop } = watch(platform);
    state.ppid = 1;
    await until("the supervisor reported gone", () => seen.length > 0);
    expect(seen).toEqual([`gone ${SUPERVISOR}`]);
    expect(state.reads).toBe(0);
    stop?.();
  });

  it("watches the parent pid off Linux too", async () => {
    const { state, platform } = scripted("darwin");
    state.ppid = SUPERVISOR;
    const { seen, stop } = watch(platform);
    expect(stop).toBeTypeOf("function");
    state.ppid = 1;
    await until("the supervisor reported gone", () => seen.length > 0);
    expect(seen).toEqual([`gone ${SUPERVISOR}`]);
  });

  it("not its child: /proc; alive while the start time stays, gone when the pid is reused by another process", async () => {
    const { state, platform } = scripted();
    const { seen, stop } = watch(platform);
    await until("a few looks at /proc", () => state.reads >= 4);
    expect(seen).toEqual([]);
    state.proc = stat("S", "2000");
    await until("the supervisor reported gone", () => seen.length > 0);
    expect(seen).toEqual([`gone ${SUPERVISOR}`]);
    stop?.();
  });

  it("not its child: gone when its /proc entry shows a dead process waiting to be reaped", async () => {
    const { state, platform } = scripted();
    const { seen } = watch(platform);
    await until("a look at /proc", () => state.reads >= 2);
    state.proc = stat("Z", "1000");
    await until("the supervisor reported gone", () => seen.length > 0);
    expect(seen).toEqual([`gone ${SUPERVISOR}`]);
  });

  it("not its child: gone when its /proc entry is gone; a later read failing otherwise says nothing", async () => {
    const { state, platform } = scripted();
    const { seen } = watch(platform);
    await until("a look at /proc", () => state.reads >= 2);
    state.proc = new PlatformError("PermissionDenied", "EACCES: /proc is hidden now");
    const reads = state.reads;
    await until("more looks at /proc", () => state.reads >= reads + 3);
    expect(seen).toEqual([]);
    state.proc = new PlatformError("NotFound", "ENOENT");
    await until("the supervisor reported gone", () => seen.length > 0);
    expect(seen).toEqual([`gone ${SUPERVISOR}`]);
  });

  it("not its child: a first look that fails unclearly (ESRCH: dying between open and read) lets the next look decide", async () => {
    const { state, platform } = scripted();
    state.proc = new PlatformError("Unknown", "readFile failed: ESRCH: no such process, read");
    const { seen } = watch(platform);
    await until("a few looks at /proc", () => state.reads >= 3);
    expect(seen).toEqual([]);
    state.proc = new PlatformError("NotFound", "ENOENT");
    await until("the supervisor reported gone", () => seen.length > 0);
    expect(seen).toEqual([`gone ${SUPERVISOR}`]);
  });

  it("/proc unreadable from the first look (Deno without -A): says why once and stops looking, never 'gone'", async () => {
    // fake timers: that nothing is read any more is shown by running 20 more intervals, not by waiting
    vi.useFakeTimers();
    try {
      const { state, platform } = scripted();
      state.proc = new PlatformError("PermissionDenied", 'Requires all access to "/proc/4242/stat"');
      const { seen } = watch(platform);
      await vi.advanceTimersByTimeAsync(5);
      expect(seen).toEqual([`unwatchable ${SUPERVISOR}: Requires all access to "/proc/4242/stat"`]);
      const reads = state.reads;
      await vi.advanceTimersByTimeAsync(100);
      expect(state.reads).toBe(reads);
      expect(seen).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("nothing to watch without the variable, with a pid of 0 or 1, or off Linux under another parent", () => {
    const { platform } = scripted();
    const none = { onGone: () => {} };
    expect(watchSupervisor(platform, {}, none)).toBeUndefined();
    expect(watchSupervisor(platform, { ARAL_SUPERVISOR_PID: "1" }, none)).toBeUndefined();
    expect(watchSupervisor(platform, { ARAL_SUPERVISOR_PID: "abc" }, none)).toBeUndefined();
    expect(watchSupervisor(scripted("darwin").platform, { ARAL_SUPERVISOR_PID: "4242" }, none)).toBeUndefined();
  });
});
