// Breaks: diskUsage reports free and total swapped.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async diskUsage(path) {
        const u = await real.fs.diskUsage(path);
        return { total: u.free, free: u.total, available: u.available };
      },
    }),
  }));
