// Breaks: net.fetch sends requests without their body.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
        real.net.fetch(input, init ? { ...init, body: null } : init)) as typeof fetch,
    }),
  }));
