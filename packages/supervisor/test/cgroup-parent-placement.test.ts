// Where instance cgroups go when a parent is named (cgroupParent, ARAL_CGROUP_PARENT): only inside the cgroup v2
// mount. A parent anywhere else made the supervisor create directories and write cgroup.subtree_control as plain
// files there; on a cgroup v1 host the parent was ignored without a word.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Platform } from "@aral/platform";
import { afterAll, describe, expect, it } from "vitest";
import { detectCgroups } from "../src/cgroup/detect.ts";
import { Supervisor } from "../src/supervisor.ts";
import { fixture, platform, quietLogger } from "./helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-cgroup-parent-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * The real file system, except that /proc/self/mountinfo and /proc/self/cgroup describe a cgroup v2 host whose
 * mount is `mount` (a real directory here: this box's memory controller is on v1, so no real v2 mount offers it).
 */
function v2Host(mount: string): Platform {
  mkdirSync(mount, { recursive: true });
  writeFileSync(join(mount, "cgroup.controllers"), "cpuset cpu io memory pids\n");
  const files: Record<string, string> = {
    "/proc/self/mountinfo": `30 22 0:26 / ${mount} rw,nosuid - cgroup2 cgroup2 rw\n`,
    "/proc/self/cgroup": "0::/user.slice\n",
  };
  const readTextFile = ((path: string, ...rest: unknown[]) =>
    path in files
      ? Promise.resolve(files[path]!)
      : (platform.fs.readTextFile as (...args: unknown[]) => Promise<string>)(
          path,
          ...rest,
        )) as Platform["fs"]["readTextFile"];
  return { ...platform, fs: { ...platform.fs, readTextFile } };
}

const realV1 = await detectCgroups(platform).then((d) => "host" in d && d.host.version === 1);

const HYBRID = [
  "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");

describe("cgroup parent: a cgroup inside the v2 mount, or said why not", () => {
  it("v2: a parent outside the mount (or escaping it with ..) is unusable, naming it; one inside is used, normalised", async () => {
    const mount = join(root, "detect", "cg2");
    const host = v2Host(mount);
    for (const outside of [join(root, "detect", "elsewhere"), `${mount}/../elsewhere`, "/etc/aral", mount]) {
      const detection = await detectCgroups(host, { parent: outside });
      expect(detection, outside).toEqual({
        unusable: expect.stringContaining(
          `the cgroup parent ${outside} (ARAL_CGROUP_PARENT) is not a directory inside the cgroup v2 mount ${mount}`,
        ),
      });
    }
    expect(await detectCgroups(host, { parent: `${mount}/system.slice/./agents/` })).toEqual({
      host: { version: 2, parent: `${mount}/system.slice/agents`, controllers: new Set(["memory", "cpu", "pids"]) },
    });
    expect(await detectCgroups(host)).toMatchObject({ host: { version: 2, parent: `${mount}/aral` } });
  });

  it("v1: the parent is not used, and the detection says so (the supervisor warns once)", async () => {
    const files: Record<string, string> = { "/proc/self/mountinfo": HYBRID, "/proc/self/cgroup": "4:memory:/\n" };
    const host = {
      runtime: { ...platform.runtime, os: "linux" },
      fs: { readTextFile: async (path: string) => files[path] ?? "" },
    } as unknown as Parameters<typeof detectCgroups>[0];
    const detection = await detectCgroups(host, { parent: "/sys/fs/cgroup/unified/agents" });
    expect(detection).toMatchObject({
      host: { version: 1 },
      notice: expect.stringMatching(
        /^the cgroup parent \/sys\/fs\/cgroup\/unified\/agents \(ARAL_CGROUP_PARENT\) is not used: .*cgroup v1/,
      ),
    });
    expect(await detectCgroups(host)).not.toHaveProperty("notice");
  });

  it.skipIf(!realV1 || process.getuid?.() !== 0)(
    `v1, this host: the supervisor says once that the parent is not used${realV1 ? "" : " (skipped: needs a cgroup v1 host with the memory controller)"}`,
    async () => {
      const parent = join(root, "v1-parent");
      const run = () =>
        new Supervisor(platform, {
          command: process.execPath,
          args: [fixture("print-env.mjs")],
          env: { PATH: process.env["PATH"] ?? "" },
          runtime: "node",
          restart: { maxRestarts: 0, windowMs: 1_000, backoffMs: 10, maxBackoffMs: 10 },
          shutdownTimeoutMs: 1_000,
          cgroupParent: parent,
          name: "v1-placed",
          logger: quietLogger,
          onOutput: () => undefined,
        });
      for (const supervisor of [run(), run()]) {
        supervisor.start();
        expect(await supervisor.finished()).toMatchObject({ state: "stopped", code: 0 });
      }
      const said = quietLogger.warnings.filter((warning) => warning.includes(`the cgroup parent ${parent}`));
      expect(said).toEqual([expect.stringMatching(/is not used: this host's memory controller is on cgroup v1/)]);
      expect(existsSync(parent)).toBe(false);
    },
  );

  it("a supervised run with a parent outside the v2 mount writes nothing there and says why the limits are not kernel-held", async () => {
    const mount = join(root, "run", "cg2");
    const elsewhere = join(root, "run", "elsewhere", "agents");
    const supervisor = new Supervisor(v2Host(mount), {
      command: process.execPath,
      args: [fixture("print-env.mjs")],
      env: { PATH: process.env["PATH"] ?? "" },
      runtime: "node",
      restart: { maxRestarts: 0, windowMs: 1_000, backoffMs: 10, maxBackoffMs: 10 },
      shutdownTimeoutMs: 1_000,
      memoryLimitBytes: 256 * 1024 * 1024,
      cgroupParent: elsewhere,
      name: "placed",
      logger: quietLogger,
      onOutput: () => undefined,
    });
    supervisor.start();
    expect(await supervisor.finished()).toMatchObject({ state: "stopped", code: 0 });
    expect(supervisor.enforcement).toMatchObject({
      mechanism: "none",
      reason: expect.stringContaining(`the cgroup parent ${elsewhere} (ARAL_CGROUP_PARENT) is not a directory inside`),
    });
    expect(existsSync(join(root, "run", "elsewhere")), "a directory was made outside the cgroup mount").toBe(false);
    expect(readdirSync(join(root, "run")).sort()).toEqual(["cg2"]);
    expect(readdirSync(mount)).toEqual(["cgroup.controllers"]);
  });
});
