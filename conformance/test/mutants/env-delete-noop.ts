// Breaks: env.delete does nothing.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "env";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    env: override(real.env, { delete() {} }),
  }));
