import type { EnvApi } from "./contract.ts";
import { envKeyError, envValueError } from "./guard-checks.ts";

export function guardEnv(env: EnvApi): EnvApi {
  return {
    get(key) {
      const error = envKeyError("env.get", "key", key);
      if (error) throw error;
      return env.get(key);
    },
    set(key, value) {
      const error = envKeyError("env.set", "key", key) ?? envValueError("env.set", "value", value);
      if (error) throw error;
      env.set(key, value);
    },
    delete(key) {
      const error = envKeyError("env.delete", "key", key);
      if (error) throw error;
      env.delete(key);
    },
    has(key) {
      const error = envKeyError("env.has", "key", key);
      if (error) throw error;
      return env.has(key);
    },
    toObject: () => env.toObject(),
  };
}
