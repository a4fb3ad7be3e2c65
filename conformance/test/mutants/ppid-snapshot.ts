// Breaks: process.ppid is read once, at start: it still names a parent that has died.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "ppid";
export const createPlatform = () =>
  mutatePlatform((real) => {
    const ppid = real.process.ppid;
    return { process: override(real.process, { ppid }) };
  });
