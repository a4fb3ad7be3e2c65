// Breaks: postMessage to a worker silently drops every other message.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "workers";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    workers: override(real.workers, {
      spawn: (module, opts) => {
        const handle = real.workers.spawn(module, opts);
        let sent = 0;
        return override(handle, {
          postMessage: (message: unknown) => void (sent++ % 2 === 1 ? undefined : handle.postMessage(message)),
        });
      },
    }),
  }));
