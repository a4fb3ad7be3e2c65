// Breaks: readFile of a missing file reports "Unknown" instead of "NotFound".
import { mutatePlatform, override, recode } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      readFile: (path) => real.fs.readFile(path).catch((e: unknown) => recode(e, "NotFound", "Unknown")),
    }),
  }));
