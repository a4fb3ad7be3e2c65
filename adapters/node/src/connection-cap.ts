import type { Server } from "node:http";
import { exhaustionLog, softOpenFileLimit } from "@aral/platform";

// node:fs through process.getBuiltinModule: an `import ... from "node:fs"` builds the module's ESM face from every
// export, fs.promises among them, and on Node 24 that loads readline and the stream stack at import (see on-first-use.ts).
const { readFileSync } = process.getBuiltinModule("node:fs");

/** Descriptors kept for everything but the server's connections (files, child pipes, the audit log). */
const RESERVED_DESCRIPTORS = 64;

/**
 * Node sheds connections it cannot accept silently (libuv's EMFILE trick). Capping connections a little
 * below the open-file limit sheds them before the process runs dry, and Node's 'drop' event lets us say so
 * once per burst. No cap where the limit cannot be read (not Linux).
 */
export function capConnections(server: Server, where: () => string): void {
  const limit = openFileLimit();
  if (limit === undefined) return;
  server.maxConnections = Math.max(16, limit - RESERVED_DESCRIPTORS);
  let log: ReturnType<typeof exhaustionLog> | undefined;
  server.on("drop", () => {
    log ??= exhaustionLog(where());
    log.report(`over ${server.maxConnections} connections under an open-file limit of ${limit}`);
  });
}

function openFileLimit(): number | undefined {
  try {
    return softOpenFileLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return undefined;
  }
}
