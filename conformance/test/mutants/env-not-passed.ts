// Breaks: opts.env never reaches the child (unless clearEnv is set).
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "env";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        if (!opts || opts.clearEnv) return real.process.spawn(command, args, opts);
        const { env: _dropped, ...rest } = opts;
        return real.process.spawn(command, args, rest);
      },
    }),
  }));
