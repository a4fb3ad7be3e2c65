// Breaks: readDir follows symlinks: a link to a directory is reported as a directory (a dangling link as nothing but a link).
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      readDir: async (path) =>
        Promise.all(
          (await real.fs.readDir(path)).map(async (e) => {
            if (!e.isSymlink) return e;
            const target = await real.fs.stat(`${path}/${e.name}`).catch(() => undefined);
            return target?.isDirectory ? { ...e, isDirectory: true } : e;
          }),
        ),
    }),
  }));
