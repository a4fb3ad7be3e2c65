import type { FileSink } from "bun";
import { toPlatformError } from "@aral/platform";

/**
 * Wraps a Bun FileSink (file writer or child stdin) as a Web WritableStream.
 * close() resolves once end() has flushed everything to the file or pipe.
 */
export function fileSinkToWritable(
  sink: FileSink,
  details: { syscall: string; path: string },
): WritableStream<Uint8Array> {
  const fail = (error: unknown) => toPlatformError(error, details);
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      try {
        await sink.write(chunk);
      } catch (error) {
        throw fail(error);
      }
    },
    async close() {
      try {
        await sink.end();
      } catch (error) {
        throw fail(error);
      }
    },
    async abort() {
      try {
        await sink.end();
      } catch {
        // aborting already reports the caller's reason; a failing flush adds nothing
      }
    },
  });
}
