// Breaks: makeTempDir ignores the prefix.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, { makeTempDir: () => real.fs.makeTempDir() }),
  }));
