import { isPlatformError } from "@aral/platform";
import type { DirEntry, Platform } from "@aral/platform";
import { socketPath } from "./socket-path.ts";

/** How long a liveness probe waits for a control socket to accept a connection (a local socket answers at once). */
export const PROBE_TIMEOUT_MS = 1_000;

/**
 * What a connection attempt says about a control socket:
 * - "live": a fleet accepted the connection;
 * - "stale": nothing listens there (ECONNREFUSED): the fleet that made it died without removing it;
 * - "missing": no such file;
 * - "unreachable": anything else - permission denied, or no answer within the timeout.
 */
export type ControlSocketState = "live" | "stale" | "missing" | "unreachable";

/** ECONNREFUSED, as Node and Bun (`code`) and Deno (`ConnectionRefused`) report it, here or in a cause. */
export function isConnectionRefused(error: unknown): boolean {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 5; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (code === "ECONNREFUSED" || name === "ConnectionRefused") return true;
    current = cause;
  }
  return false;
}

/** Connects to the socket and hangs up at once: the server sees a client that sent nothing. */
export async function probeControlSocket(
  platform: Pick<Platform, "net">,
  path: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ControlSocketState> {
  const attempt = platform.net.connectUnix(path).then(
    (connection): ControlSocketState => {
      connection.close();
      return "live";
    },
    (error: unknown): ControlSocketState =>
      isPlatformError(error, "NotFound") ? "missing" : isConnectionRefused(error) ? "stale" : "unreachable",
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ControlSocketState>((resolve) => {
    timer = setTimeout(() => resolve("unreachable"), timeoutMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Removes a control socket its fleet left behind: only a socket (never a regular file, a directory or a symlink)
 * that still refuses a connection right before. Resolves true when it is gone.
 */
export async function removeStaleSocket(platform: Pick<Platform, "fs" | "net">, path: string): Promise<boolean> {
  try {
    const info = await platform.fs.lstat(path);
    if (info.isFile || info.isDirectory || info.isSymlink) return false;
    if ((await probeControlSocket(platform, path)) !== "stale") return false;
    await platform.fs.remove(path);
    return true;
  } catch (error) {
    return isPlatformError(error, "NotFound");
  }
}

/** The control sockets of a directory, told apart by connecting to each (see scanFleetSockets). */
export interface FleetSocketScan {
  /** Fleets whose socket accepted a connection, by name. */
  running: string[];
  /** Sockets nothing listens on: the fleet died (SIGKILL, a crash) and left them. `removed`: now gone. */
  stale: { fleet: string; path: string; removed: boolean }[];
  /** Sockets that neither accepted nor refused (no answer within the timeout, permission denied): left alone. */
  unreachable: { fleet: string; path: string }[];
}

/**
 * The fleets running for this user: every `<fleet>.sock` of `dir` that accepts a connection. A socket that
 * refuses one is stale - its fleet is gone - and is removed (the directory is the user's own, mode 0700) unless
 * `removeStale` is false.
 */
export async function scanFleetSockets(
  platform: Pick<Platform, "fs" | "net">,
  dir: string,
  opts: { removeStale?: boolean; timeoutMs?: number } = {},
): Promise<FleetSocketScan> {
  let entries: DirEntry[];
  try {
    entries = await platform.fs.readDir(dir);
  } catch {
    entries = [];
  }
  const sockets = entries
    .filter((entry) => entry.name.endsWith(".sock") && !entry.isFile && !entry.isDirectory && !entry.isSymlink)
    .map((entry) => entry.name.slice(0, -".sock".length))
    .sort();
  const scan: FleetSocketScan = { running: [], stale: [], unreachable: [] };
  const states = await Promise.all(
    sockets.map((fleet) => probeControlSocket(platform, socketPath(dir, fleet), opts.timeoutMs)),
  );
  for (const [index, fleet] of sockets.entries()) {
    const path = socketPath(dir, fleet);
    switch (states[index]) {
      case "live":
        scan.running.push(fleet);
        break;
      case "stale":
        scan.stale.push({
          fleet,
          path,
          removed: opts.removeStale === false ? false : await removeStaleSocket(platform, path),
        });
        break;
      case "unreachable":
        scan.unreachable.push({ fleet, path });
        break;
      default:
      // "missing": its fleet ended while we looked
    }
  }
  return scan;
}
