import type { EnvApi } from "@aral/platform";

/** The real process environment. */
export function createNodeEnv(): EnvApi {
  return {
    get(key) {
      return process.env[key];
    },
    set(key, value) {
      process.env[key] = value;
    },
    delete(key) {
      delete process.env[key];
    },
    has(key) {
      return process.env[key] !== undefined;
    },
    toObject() {
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(process.env)) if (value !== undefined) out[key] = value;
      return out;
    },
  };
}
