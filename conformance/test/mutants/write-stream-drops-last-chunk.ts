// Breaks: openWrite loses the last chunk written before close().
import { mutatePlatform, override } from "./_correct.ts";

export const focus = "fs.streams";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async openWrite(path) {
        const writer = (await real.fs.openWrite(path)).getWriter();
        let held: Uint8Array | undefined;
        return new WritableStream<Uint8Array>({
          async write(chunk) {
            if (held) await writer.write(held);
            held = chunk;
          },
          close: () => writer.close(),
          abort: (reason) => writer.abort(reason),
        });
      },
    }),
  }));
