// Breaks: mkdir({ recursive: true }) of an existing directory rejects AlreadyExists.
import { PlatformError } from "@aral/platform";
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async mkdir(path, opts) {
        if (opts?.recursive && (await real.fs.exists(path)))
          throw new PlatformError("AlreadyExists", `AlreadyExists: mkdir '${path}'`, { path });
        return real.fs.mkdir(path, opts);
      },
    }),
  }));
