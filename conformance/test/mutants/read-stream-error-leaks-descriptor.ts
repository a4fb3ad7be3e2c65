// Breaks: a read that fails inside openRead's stream leaves a descriptor open for good (here the file's directory,
// held with openDir: an unread openRead holds none on Bun, whose file streams open at the first read).
import type { DirHandle } from "@aral/platform";
import { mutatePlatform, override } from "./_correct.ts";

/** Never closed. */
const leaked: DirHandle[] = [];

export const focus = "fs.streams";
export const createPlatform = () =>
  mutatePlatform((real) => ({
    fs: override(real.fs, {
      async openRead(path) {
        const reader = (await real.fs.openRead(path)).getReader();
        return new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              try {
                const { done, value } = await reader.read();
                if (done) controller.close();
                else controller.enqueue(value);
              } catch (error) {
                const held = await real.fs.openDir(path.slice(0, path.lastIndexOf("/")) || "/").catch(() => undefined);
                if (held) leaked.push(held);
                controller.error(error);
              }
            },
            cancel: (reason) => reader.cancel(reason),
          },
          { highWaterMark: 0 },
        );
      },
    }),
  }));
