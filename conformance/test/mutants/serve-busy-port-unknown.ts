// Breaks: serve on a port in use rejects "Unknown" instead of "AddrInUse".
import { mutatePlatform, override, recode } from "./_correct.ts";

export const focus = "net";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    net: override(real.net, {
      serve: (handler, opts) => real.net.serve(handler, opts).catch((e: unknown) => recode(e, "AddrInUse", "Unknown")),
    }),
  }));
