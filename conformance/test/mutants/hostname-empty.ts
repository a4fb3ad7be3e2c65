// Breaks: runtime.hostname is "" although the runtime may read the host name.
import { mutatePlatform } from "./_correct.ts";

export const focus = "runtime: name";
export const createPlatform = () => mutatePlatform((real) => ({ runtime: { ...real.runtime, hostname: "" } }));
