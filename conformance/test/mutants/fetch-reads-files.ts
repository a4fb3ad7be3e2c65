// Breaks: net.fetch hands every URL to the runtime's own fetch, which on Deno and Bun reads file: URLs.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fetch schemes";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      fetch: ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init)) as typeof fetch,
    }),
  }));
