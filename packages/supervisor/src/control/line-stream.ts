import type { UnixConnection } from "@aral/platform";

/** The lines of a connection as they arrive (without "\n"); a line past `maxBytes` throws a RangeError. */
export async function* readLines(
  connection: UnixConnection,
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = connection.readable.getReader();
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        yield pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
      if (pending.length > maxBytes) throw new RangeError(`line longer than ${maxBytes} bytes`);
    }
  } finally {
    reader.releaseLock();
  }
  if (pending !== "") yield pending;
}

const encoder = new TextEncoder();

/** Writes one JSON value as a line. */
export function writeJsonLine(writer: WritableStreamDefaultWriter<Uint8Array>, value: unknown): Promise<void> {
  return writer.write(encoder.encode(`${JSON.stringify(value)}\n`));
}
