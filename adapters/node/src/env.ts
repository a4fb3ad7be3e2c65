import process from "node:process";
import type { EnvApi } from "@aral/core";

function checkKey(key: string): void {
  if (typeof key !== "string" || key === "" || key.includes("=") || key.includes("\0")) {
    throw new TypeError(`env: invalid variable name ${JSON.stringify(key)} (must be a non-empty string without '=' or NUL)`);
  }
}

/** The real process environment. */
export function createNodeEnv(): EnvApi {
  return {
    get(key) {
      checkKey(key);
      return process.env[key];
    },
    set(key, value) {
      checkKey(key);
      if (typeof value !== "string" || value.includes("\0")) {
        throw new TypeError(`env.set('${key}'): value must be a string without NUL, got ${typeof value}`);
      }
      process.env[key] = value;
    },
    delete(key) {
      checkKey(key);
      delete process.env[key];
    },
    has(key) {
      checkKey(key);
      return process.env[key] !== undefined;
    },
    toObject() {
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(process.env)) if (value !== undefined) out[key] = value;
      return out;
    },
  };
}
