// Breaks: rename copies a file and leaves the source behind.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async rename(from, to) {
        const info = await real.fs.stat(from);
        if (!info.isFile) return real.fs.rename(from, to);
        await real.fs.writeFile(to, await real.fs.readFile(from));
      },
    }),
  }));
