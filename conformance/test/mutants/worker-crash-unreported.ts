// Breaks: a worker that dies from an uncaught error reports neither onError nor onExit (its task would hang).
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "workers";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    workers: override(real.workers, {
      spawn: (module, opts) => {
        const handle = real.workers.spawn(module, opts);
        return override(handle, { onError: () => () => {}, onExit: () => () => {} });
      },
    }),
  }));
