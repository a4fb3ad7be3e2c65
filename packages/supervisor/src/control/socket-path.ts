import { PlatformError } from "@aral/platform";
import type { Platform } from "@aral/core";

/** The user's id from Linux's /proc, else the user name: names the control directory under /tmp. */
async function userTag(platform: Pick<Platform, "fs" | "env">): Promise<string> {
  try {
    const match = /^Uid:\s+(\d+)/m.exec(await platform.fs.readTextFile("/proc/self/status"));
    if (match) return match[1]!;
  } catch {
    // not Linux
  }
  return (platform.env.get("USER") ?? platform.env.get("LOGNAME") ?? "user").replace(/[^A-Za-z0-9_.-]/g, "_");
}

/**
 * Where control sockets live: `$ARAL_CONTROL_DIR`, else `$XDG_RUNTIME_DIR/aral`, else `/tmp/aral-<uid>`.
 * Only the user may enter it (mode 0700), and each socket is 0600.
 */
export async function controlDir(platform: Pick<Platform, "fs" | "env">): Promise<string> {
  const explicit = platform.env.get("ARAL_CONTROL_DIR");
  if (explicit) return explicit.replace(/\/+$/, "");
  const runtimeDir = platform.env.get("XDG_RUNTIME_DIR");
  if (runtimeDir) return `${runtimeDir.replace(/\/+$/, "")}/aral`;
  return `/tmp/aral-${await userTag(platform)}`;
}

export function socketPath(dir: string, fleet: string): string {
  return `${dir}/${fleet}.sock`;
}

/** Creates the control directory (0700) or checks an existing one lets nobody else in. */
export async function ensureControlDir(platform: Pick<Platform, "fs">, dir: string): Promise<void> {
  await platform.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await platform.fs.stat(dir);
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    throw new PlatformError(
      "PermissionDenied",
      `control directory ${dir} is open to other users (mode ${(info.mode & 0o777).toString(8)}); it must be 0700 \u2014 fix it with chmod 700 ${dir}`,
      { path: dir },
    );
  }
}

/** Fleets with a socket in `dir` (running, or left behind by a fleet that died: scanFleetSockets tells them apart). */
export async function listFleetSockets(platform: Pick<Platform, "fs">, dir: string): Promise<string[]> {
  try {
    return (await platform.fs.readDir(dir))
      .filter((entry) => entry.name.endsWith(".sock"))
      .map((entry) => entry.name.slice(0, -".sock".length));
  } catch {
    return [];
  }
}
