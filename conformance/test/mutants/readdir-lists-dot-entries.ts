// Breaks: readDir lists "." and ".." as directories, as a raw readdir(3) does.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs";
const dot = (name: string) => ({ name, isFile: false, isDirectory: true, isSymlink: false });
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, { readDir: async (path) => [dot("."), dot(".."), ...(await real.fs.readDir(path))] }),
  }));
