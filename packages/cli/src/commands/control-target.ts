import type { Platform } from "@aral/core";
import { controlDir, listFleetSockets, socketPath } from "@aral/supervisor";

/** The control socket to talk to: the named fleet's, else the only fleet running for this user. */
export async function resolveControlSocket(platform: Platform, fleet: string | undefined): Promise<string> {
  const dir = await controlDir(platform);
  if (fleet !== undefined) return socketPath(dir, fleet);
  const fleets = await listFleetSockets(platform, dir);
  if (fleets.length === 1) return socketPath(dir, fleets[0]!);
  if (fleets.length === 0)
    throw new Error(`no fleet is running (no control socket in ${dir}); start one with aral up <fleet file>`);
  throw new Error(`several fleets are running (${fleets.join(", ")}); name one with --fleet <name>`);
}
