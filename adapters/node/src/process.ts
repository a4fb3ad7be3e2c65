import { onUncaughtFromProcess } from "@aral/platform";
import type { ProcessPrimitives } from "@aral/platform";
import { spawnNode } from "./spawn.ts";

export function createNodeProcess(): ProcessPrimitives {
  return {
    spawn: spawnNode,
    get pid() {
      return process.pid;
    },
    get ppid() {
      return process.ppid;
    },
    cwd: () => process.cwd(),
    get argv() {
      return process.argv.slice(2);
    },
    get execPath() {
      return process.execPath;
    },
    exit: (code?: number): never => process.exit(code),
    onUncaught: onUncaughtFromProcess(process),
  };
}
