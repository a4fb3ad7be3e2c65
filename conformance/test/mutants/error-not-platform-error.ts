// Breaks: stat failures are plain Errors (carrying a code), not PlatformErrors.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      stat: (path) =>
        real.fs.stat(path).catch((e: { message: string; code: string; path?: string }) => {
          throw Object.assign(new Error(e.message), { code: e.code, path: e.path });
        }),
    }),
  }));
