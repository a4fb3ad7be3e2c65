// Breaks: process.onUncaught subscribes nothing, so the child crashes (seen only in a child process).
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "onUncaught";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, { onUncaught: () => () => {} }),
  }));
