// Breaks: signals.on subscribes nothing; the handler never runs (seen only in a child process).
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "signals";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    signals: override(real.signals, { on: () => () => {} }),
  }));
