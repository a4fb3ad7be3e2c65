// Breaks: a read that fails inside openRead's stream ends the stream, as if the file were complete.
import { mutatePlatform, override } from "./_correct.ts";

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
              } catch {
                controller.close();
              }
            },
            cancel: (reason) => reader.cancel(reason),
          },
          { highWaterMark: 0 },
        );
      },
    }),
  }));
