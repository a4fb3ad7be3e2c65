// Breaks: readDir reports symlinks as plain files.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      readDir: async (path) =>
        (await real.fs.readDir(path)).map((e) => (e.isSymlink ? { ...e, isSymlink: false, isFile: true } : e)),
    }),
  }));
