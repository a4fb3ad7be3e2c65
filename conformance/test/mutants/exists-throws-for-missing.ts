// Breaks: exists() rejects NotFound for a missing path instead of resolving false.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, { exists: (path) => real.fs.stat(path).then(() => true) }),
  }));
