// Breaks: readDir leaves out hidden entries (names starting with ".").
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      readDir: async (path) => (await real.fs.readDir(path)).filter((e) => !e.name.startsWith(".")),
    }),
  }));
