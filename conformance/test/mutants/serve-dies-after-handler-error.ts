// Breaks: a throwing handler takes the server down (it stops serving).
import type { Server } from "@aral/platform";
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      async serve(handler, opts) {
        let server: Server | undefined;
        server = await real.net.serve(async (request) => {
          try {
            return await handler(request);
          } catch (error) {
            setTimeout(() => void server?.close(), 0);
            throw error;
          }
        }, opts);
        return server;
      },
    }),
  }));
