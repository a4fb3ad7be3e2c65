// Breaks: clearEnv is ignored, so the parent's environment leaks into the child.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "clearEnv";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn: (command, args, opts) => real.process.spawn(command, args, opts ? { ...opts, clearEnv: false } : opts),
    }),
  }));
