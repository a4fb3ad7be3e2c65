import type { Platform } from "@aral/core";
import {
  controlDir,
  FLEET_NAME,
  probeControlSocket,
  removeStaleSocket,
  scanFleetSockets,
  socketPath,
} from "@aral/supervisor";

/**
 * Why `--fleet <name>` cannot name a fleet, or undefined when it can: the name becomes `<control dir>/<name>.sock`,
 * so "../x" would reach (and, were it stale, remove) a socket outside the control directory.
 */
export function fleetNameProblem(name: string | undefined): string | undefined {
  if (name === undefined || FLEET_NAME.test(name)) return undefined;
  return `--fleet needs a fleet name (letters, digits, '.', '_' or '-', at most 63, starting with a letter or digit: the fleet file's name), got ${JSON.stringify(name)}`;
}

/**
 * The control socket to talk to: the named fleet's, else the only fleet running for this user - a socket counts
 * only when it accepts a connection. A socket that refuses one was left by a fleet that died (SIGKILL, a crash):
 * it is removed, and `note` says so; with --fleet naming it the answer is that the fleet is not running.
 */
export async function resolveControlSocket(
  platform: Platform,
  fleet: string | undefined,
  note: (message: string) => void = () => {},
): Promise<string> {
  const problem = fleetNameProblem(fleet);
  if (problem !== undefined) throw new Error(problem);
  const dir = await controlDir(platform);
  if (fleet !== undefined) {
    const path = socketPath(dir, fleet);
    // a missing socket or another user's is left to the call, which says which
    if ((await probeControlSocket(platform, path)) !== "stale") return path;
    throw new Error(
      (await removeStaleSocket(platform, path))
        ? `no fleet ${fleet} is running (stale socket ${path} removed)`
        : `no fleet ${fleet} is running (stale socket ${path} left: it could not be removed)`,
    );
  }
  const scan = await scanFleetSockets(platform, dir);
  for (const { fleet: name, path, removed } of scan.stale)
    note(
      removed
        ? `removed the stale control socket ${path} (fleet ${name} is not running)`
        : `ignored the stale control socket ${path} (fleet ${name} is not running; it could not be removed)`,
    );
  for (const { fleet: name, path } of scan.unreachable)
    note(
      `ignored the control socket ${path}: fleet ${name} did not accept a connection (name it with --fleet ${name})`,
    );
  if (scan.running.length === 1) return socketPath(dir, scan.running[0]!);
  if (scan.running.length === 0)
    throw new Error(`no fleet is running (no live control socket in ${dir}); start one with aral up <fleet file>`);
  throw new Error(`several fleets are running (${scan.running.join(", ")}); name one with --fleet <name>`);
}
