// Breaks: serve buffers a streamed response body completely before sending anything.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      serve: (handler, opts) =>
        real.net.serve(async (request) => {
          const response = await handler(request);
          const body = response.body ? await response.arrayBuffer() : null;
          return new Response(body, { status: response.status, headers: response.headers });
        }, opts),
    }),
  }));
