// Breaks: port 0 is not "pick a free port": every server tries the same fixed port.
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      serve: (handler, opts) => real.net.serve(handler, { ...opts, port: opts?.port ? opts.port : 47_913 }),
    }),
  }));
