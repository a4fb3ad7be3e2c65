// Bun has no native API for pid, ppid, cwd, exit or uncaught-error hooks: they come from Bun's `process` global (no node: import).
import type { ProcessPrimitives } from "@aral/platform";
import { onUncaughtFromProcess, toPlatformError } from "@aral/platform";
import { spawn } from "./spawn.ts";

export function createProcessApi(): ProcessPrimitives {
  return {
    spawn,
    get pid() {
      return process.pid;
    },
    get ppid() {
      return process.ppid;
    },
    cwd: () => {
      try {
        return process.cwd();
      } catch (error) {
        throw toPlatformError(error, { syscall: "cwd" }); // e.g. the directory was removed
      }
    },
    // Bun.argv is [bun, script, ...user args]
    argv: Bun.argv.slice(2),
    execPath: process.execPath,
    exit: (code = 0) => process.exit(code),
    onUncaught: onUncaughtFromProcess(process),
  };
}
