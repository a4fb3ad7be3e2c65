// Breaks: server.url says "localhost" and ends with a slash instead of http://127.0.0.1:<port>.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      async serve(handler, opts) {
        const server = await real.net.serve(handler, opts);
        return override(server, { url: `http://localhost:${server.port}/` });
      },
    }),
  }));
