// Breaks: kill() never reaches the child.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "kill";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        return override(real.process.spawn(command, args, opts), { kill() {} });
      },
    }),
  }));
