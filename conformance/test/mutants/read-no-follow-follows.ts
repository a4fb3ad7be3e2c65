// Breaks: readFile with { noFollow: true } follows a final symlink anyway.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "noFollow";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      readFile: (path) => real.fs.readFile(path),
    }),
  }));
