// Breaks: close() aborts the requests in flight instead of letting them finish.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      async serve(handler, opts) {
        const drops = new Set<() => void>();
        const server = await real.net.serve(
          (request) =>
            new Promise<Response>((resolve, reject) => {
              const drop = () => reject(new Error("dropped by close()"));
              drops.add(drop);
              Promise.resolve(handler(request))
                .then(resolve, reject)
                .finally(() => drops.delete(drop));
            }),
          opts,
        );
        return override(server, {
          close() {
            for (const drop of drops) drop();
            return server.close();
          },
        });
      },
    }),
  }));
