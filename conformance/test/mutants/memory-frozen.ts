// Breaks: usage.memory() never moves.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "usage";
export const createPlatform = () =>
  mutatePlatform((real) => {
    const first = real.usage.memory();
    return { usage: override(real.usage, { memory: () => first }) };
  });
