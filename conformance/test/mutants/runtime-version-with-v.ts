// Breaks: runtime.version keeps the leading "v" (Node's process.version style).
import { mutatePlatform } from "./_correct.ts";

export const focus = "runtime";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    runtime: { ...real.runtime, version: `v${real.runtime.version}` },
  }));
