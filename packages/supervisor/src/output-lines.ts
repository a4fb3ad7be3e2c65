/** Reads a child's output stream and calls `onLine` for each line (without the line break); a last unterminated line counts too. */
export async function forwardLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let pending = "";
  const emit = (text: string): void => {
    pending += text;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      emit(decoder.decode(value, { stream: true }));
    }
  } catch {
    // a stream torn down with the child: what arrived has been forwarded
  } finally {
    reader.releaseLock();
  }
  emit(decoder.decode());
  if (pending !== "") onLine(pending);
}
