// Breaks: openRead ends the stream after 4 MiB.
import { mutatePlatform, override } from "./_correct.ts";

const LIMIT = 4 * 1024 * 1024;
export const focus = "fs.streams";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async openRead(path) {
        let seen = 0;
        return (await real.fs.openRead(path)).pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              const room = LIMIT - seen;
              if (room > 0) controller.enqueue(chunk.subarray(0, room));
              seen += chunk.byteLength;
            },
          }),
        );
      },
    }),
  }));
