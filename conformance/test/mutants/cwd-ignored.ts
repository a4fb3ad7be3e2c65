// Breaks: opts.cwd is ignored; the child runs in the parent's directory.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "cwd";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        if (!opts) return real.process.spawn(command, args, opts);
        const { cwd: _dropped, ...rest } = opts;
        return real.process.spawn(command, args, rest);
      },
    }),
  }));
