/**
 * Reads a child's output stream and calls `onLine` for each line (without the line break); a last
 * unterminated line counts too. When `onLine` returns a promise, reading waits for it: the pipe fills and
 * the child blocks on its writes (backpressure) instead of its output piling up in memory.
 */
export async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => unknown,
): Promise<void> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let pending = "";
  const emit = async (text: string): Promise<void> => {
    pending += text;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      const wait = onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      if (wait instanceof Promise) await wait;
      newline = pending.indexOf("\n");
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await emit(decoder.decode(value, { stream: true }));
    }
  } catch {
    // a stream torn down with the child: what arrived has been forwarded
  } finally {
    reader.releaseLock();
  }
  await emit(decoder.decode());
  if (pending !== "") {
    const wait = onLine(pending);
    if (wait instanceof Promise) await wait;
  }
}
