// Breaks: writeFile ignores { append: true } and replaces the file.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      writeFile: (path, data, opts) => real.fs.writeFile(path, data, opts ? { ...opts, append: false } : opts),
    }),
  }));
