import { toPlatformError } from "./errors.ts";

/** Wraps a byte stream so that a failure while reading surfaces as a PlatformError naming the call. */
export function mapReadableErrors(
  source: ReadableStream<Uint8Array>,
  syscall: string,
  path?: string,
): ReadableStream<Uint8Array> {
  const details = path === undefined ? { syscall } : { syscall, path };
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(toPlatformError(error, details));
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Wraps a byte sink so that a failure while writing or closing surfaces as a PlatformError naming the call. */
export function mapWritableErrors(
  sink: WritableStream<Uint8Array>,
  syscall: string,
  path?: string,
): WritableStream<Uint8Array> {
  const details = path === undefined ? { syscall } : { syscall, path };
  const writer = sink.getWriter();
  const mapped = (error: unknown): never => {
    throw toPlatformError(error, details);
  };
  return new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk).catch(mapped),
    close: () => writer.close().catch(mapped),
    abort: (reason) => writer.abort(reason),
  });
}
