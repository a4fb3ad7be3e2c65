import type { EnvApi } from "@aral/platform";
import { toPlatformError } from "@aral/platform";

/** Deno.env throws on missing --allow-env (bad keys and values never get here: the guard rejects them). */
function guarded<T>(syscall: string, key: string | undefined, op: () => T): T {
  try {
    return op();
  } catch (error) {
    throw toPlatformError(error, key === undefined ? { syscall } : { syscall, path: key });
  }
}

export function createEnvApi(): EnvApi {
  return {
    get: (key) => guarded("env.get", key, () => Deno.env.get(key)),
    set: (key, value) => guarded("env.set", key, () => Deno.env.set(key, value)),
    delete: (key) => guarded("env.delete", key, () => Deno.env.delete(key)),
    has: (key) => guarded("env.has", key, () => Deno.env.has(key)),
    toObject: () => guarded("env.toObject", undefined, () => Deno.env.toObject()),
  };
}
