// Where `aral up` puts its control socket: $ARAL_CONTROL_DIR, else $XDG_RUNTIME_DIR/aral, else /tmp/aral-<uid>.
// Real directories and a real Unix socket served by ControlServer; the environment is the only thing scripted.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Platform } from "@aral/platform";
import { PlatformError } from "@aral/platform";
import { afterAll, describe, expect, it } from "vitest";
import { probeControlSocket } from "../../src/control/fleet-sockets.ts";
import { ControlServer } from "../../src/control/control-server.ts";
import { controlDir, ensureControlDir, socketPath } from "../../src/control/socket-path.ts";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-socket-path-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The real file system, with `env` as the whole environment controlDir sees. */
function withEnv(env: Record<string, string>): Pick<Platform, "fs" | "env"> {
  return { fs: platform.fs, env: { ...platform.env, get: (name: string) => env[name] } as Platform["env"] };
}

async function fleetNamed(name: string): Promise<Fleet> {
  const spec = await validateFleet(
    platform,
    { name, agents: [{ name: "a", runtime: "node", entry: join(root, "never-started.mjs") }] },
    join(root, `${name}.json`),
  );
  return new Fleet(platform, spec, { logger: quietLogger, parentEnv: {}, execPaths: {} });
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("the control socket's directory", () => {
  it("with XDG_RUNTIME_DIR set (and no ARAL_CONTROL_DIR) it is $XDG_RUNTIME_DIR/aral: created 0700, the socket 0600 and live", async () => {
    const runtimeDir = join(root, "xdg-run");
    mkdirSync(runtimeDir, { mode: 0o755 });
    chmodSync(runtimeDir, 0o755);
    // A trailing slash is not doubled.
    const dir = await controlDir(withEnv({ XDG_RUNTIME_DIR: `${runtimeDir}/`, USER: "someone" }));
    expect(dir).toBe(join(runtimeDir, "aral"));
    expect(socketPath(dir, "xdg-fleet")).toBe(join(runtimeDir, "aral", "xdg-fleet.sock"));

    const server = new ControlServer(platform, await fleetNamed("xdg-fleet"), { dir });
    await server.listen();
    try {
      expect(server.path).toBe(join(runtimeDir, "aral", "xdg-fleet.sock"));
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(mode(dir)).toBe(0o700);
      expect(statSync(server.path).isSocket()).toBe(true);
      expect(mode(server.path)).toBe(0o600);
      expect(await probeControlSocket(platform, server.path)).toBe("live");
    } finally {
      await server.close();
    }
  });

  it("an existing $XDG_RUNTIME_DIR/aral that others may enter is refused: PermissionDenied naming the fix", async () => {
    const runtimeDir = join(root, "xdg-open");
    mkdirSync(join(runtimeDir, "aral"), { recursive: true });
    chmodSync(join(runtimeDir, "aral"), 0o755);
    const dir = await controlDir(withEnv({ XDG_RUNTIME_DIR: runtimeDir }));
    expect(dir).toBe(join(runtimeDir, "aral"));
    const server = new ControlServer(platform, await fleetNamed("open-fleet"), { dir });
    const error = await server.listen().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "PermissionDenied", path: dir });
    expect((error as Error).message).toContain(`chmod 700 ${dir}`);
    expect(statSync(join(dir, "open-fleet.sock"), { throwIfNoEntry: false })).toBeUndefined();
  });

  it("without XDG_RUNTIME_DIR (unset or empty) it is /tmp/aral-<uid>; ARAL_CONTROL_DIR wins over both", async () => {
    const uid = process.getuid!();
    expect(await controlDir(withEnv({}))).toBe(`/tmp/aral-${uid}`);
    expect(await controlDir(withEnv({ XDG_RUNTIME_DIR: "" }))).toBe(`/tmp/aral-${uid}`);
    // The uid, not the user name, on Linux: another user's name cannot collide with it.
    expect(await controlDir(withEnv({ USER: "not-the-uid" }))).toBe(`/tmp/aral-${uid}`);
    const explicit = join(root, "explicit");
    expect(await controlDir(withEnv({ ARAL_CONTROL_DIR: `${explicit}//`, XDG_RUNTIME_DIR: join(root, "x") }))).toBe(
      explicit,
    );
  });

  it("ensureControlDir creates the fallback-style directory 0700 however permissive the umask", async () => {
    const dir = join(root, "umask", "aral-test");
    const previous = process.umask(0);
    try {
      await ensureControlDir(platform, dir);
    } finally {
      process.umask(previous);
    }
    expect(mode(dir)).toBe(0o700);
  });
});
