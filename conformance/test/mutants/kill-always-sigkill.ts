// Breaks: every kill() sends SIGKILL, whatever signal was asked for.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "kill";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        const child = real.process.spawn(command, args, opts);
        return override(child, { kill: () => child.kill("SIGKILL") });
      },
    }),
  }));
