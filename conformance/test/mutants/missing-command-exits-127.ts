// Breaks: a missing command settles like a shell's (exit code 127) instead of rejecting NotFound.
import { isPlatformError } from "@aral/platform";
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "missing command";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        const child = real.process.spawn(command, args, opts);
        const status = child.status.catch((e: unknown) => {
          if (isPlatformError(e, "NotFound")) return { code: 127, signal: null, success: false };
          throw e;
        });
        return override(child, { status });
      },
    }),
  }));
