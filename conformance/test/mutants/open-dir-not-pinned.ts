// Breaks: openDir checks the path once and hands it back, so a later symlink swap of a parent redirects every use.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "storage";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async openDir(path) {
        const handle = await real.fs.openDir(path);
        await handle.close();
        return { path, realPath: handle.realPath, pinned: true, id: handle.id, close: async () => {} };
      },
    }),
  }));
