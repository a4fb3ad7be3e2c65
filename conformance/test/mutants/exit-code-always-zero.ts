// Breaks: a child's exit code is lost (always reported as 0, success).
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "process.spawn";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        const child = real.process.spawn(command, args, opts);
        const status = child.status.then((s) => (s.code === null ? s : { code: 0, signal: null, success: true }));
        status.catch(() => {});
        return override(child, { status });
      },
    }),
  }));
