// Breaks: a non-recursive remove of a non-empty directory deletes the whole tree.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, { remove: (path) => real.fs.remove(path, { recursive: true }) }),
  }));
