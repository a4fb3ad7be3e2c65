import type { WorkersApi } from "./contract.ts";
import { misuse, optionsError } from "./guard-checks.ts";

const SPAWN = "workers.spawn";

function spawnWorkerError(module: unknown, opts: { name?: unknown } | undefined): TypeError | undefined {
  const name = opts?.name;
  return (
    (module instanceof URL || (typeof module === "string" && module.trim() !== "" && !module.includes("\0"))
      ? undefined
      : misuse(SPAWN, "module", "a non-blank string path or a URL", module, "string")) ??
    optionsError(SPAWN, "opts", opts) ??
    (name === undefined || typeof name === "string"
      ? undefined
      : misuse(SPAWN, "opts.name", "a string", name, "string"))
  );
}

/** Only spawn's arguments are checked: the handle it returns is the adapter's own. */
export function guardWorkers(workers: WorkersApi): WorkersApi {
  return {
    spawn(module, opts) {
      const error = spawnWorkerError(module, opts);
      if (error) throw error;
      return workers.spawn(module, opts);
    },
  };
}
