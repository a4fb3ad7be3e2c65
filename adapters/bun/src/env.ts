// Bun.env is Bun's native view of the process environment (the same object as process.env).
import type { EnvApi } from "@aral/core";

export function createEnvApi(): EnvApi {
  return {
    get: (key) => Bun.env[checkKey(key)],
    set: (key, value) => {
      checkKey(key);
      if (typeof value !== "string" || value.includes("\0")) {
        throw new TypeError(`env value for ${key} must be a string without NUL characters, got ${typeof value === "string" ? JSON.stringify(value) : typeof value}`);
      }
      Bun.env[key] = value;
    },
    delete: (key) => {
      delete Bun.env[checkKey(key)];
    },
    has: (key) => Bun.env[checkKey(key)] !== undefined,
    toObject: () => {
      const copy: Record<string, string> = {};
      for (const [key, value] of Object.entries(Bun.env)) if (value !== undefined) copy[key] = value;
      return copy;
    },
  };
}

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key === "" || key.includes("=") || key.includes("\0")) {
    throw new TypeError(`env key must be a non-empty string without '=' or NUL, got ${typeof key === "string" ? JSON.stringify(key) : typeof key}`);
  }
  return key;
}
