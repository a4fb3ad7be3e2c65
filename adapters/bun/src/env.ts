// Bun.env is Bun's native view of the process environment (the same object as process.env).
import type { EnvApi } from "@aral/platform";

export function createEnvApi(): EnvApi {
  return {
    get: (key) => Bun.env[key],
    set: (key, value) => {
      Bun.env[key] = value;
    },
    delete: (key) => {
      delete Bun.env[key];
    },
    has: (key) => Bun.env[key] !== undefined,
    toObject: () => {
      const copy: Record<string, string> = {};
      for (const [key, value] of Object.entries(Bun.env)) if (value !== undefined) copy[key] = value;
      return copy;
    },
  };
}
