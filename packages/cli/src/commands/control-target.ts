import type { Platform } from "@aral/core";
import { controlDir, listFleetSockets, socketPath } from "@aral/supervisor";

/** `--fleet <name>` taken out of argv (the rest is returned), or an error message. */
export function takeFleetOption(argv: string[]): { fleet: string | undefined; rest: string[] } | string {
  const rest: string[] = [];
  let fleet: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--fleet" || arg.startsWith("--fleet=")) {
      fleet = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (!fleet) return "--fleet needs the fleet's name";
    } else rest.push(arg);
  }
  return { fleet, rest };
}

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
