// Breaks: a child ended by a signal is reported as exit code 128 + n, signal null (a shell's view).
import { mutatePlatform, override } from "./_correct.ts";

const NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
export const focus = "process.spawn";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    process: override(real.process, {
      spawn(command, args, opts) {
        const child = real.process.spawn(command, args, opts);
        const status = child.status.then((s) =>
          s.signal === null ? s : { code: 128 + (NUMBERS[s.signal] ?? 0), signal: null, success: false },
        );
        status.catch(() => {});
        return override(child, { status });
      },
    }),
  }));
