// Breaks: writeFile ignores { mode }.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      writeFile(path, data, opts) {
        if (!opts) return real.fs.writeFile(path, data);
        const { mode: _ignored, ...rest } = opts;
        return real.fs.writeFile(path, data, rest);
      },
    }),
  }));
