// Breaks: usage.cpu() never moves.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "usage";
export const createPlatform = () =>
  mutatePlatform((real) => {
    const first = real.usage.cpu();
    return { usage: override(real.usage, { cpu: () => first }) };
  });
