// Breaks: remove's errors do not carry the path.
import { PlatformError } from "@aral/platform";
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      remove: (path, opts) =>
        real.fs.remove(path, opts).catch((e: PlatformError) => {
          throw new PlatformError(e.code, e.message, { cause: e.cause });
        }),
    }),
  }));
