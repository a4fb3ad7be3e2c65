// Breaks: usage.cpu() reports milliseconds where the contract says microseconds.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "usage";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    usage: override(real.usage, {
      cpu() {
        const c = real.usage.cpu();
        return { userMicros: Math.round(c.userMicros / 1000), systemMicros: Math.round(c.systemMicros / 1000) };
      },
    }),
  }));
