/**
 * The longest line forwarded as one: a longer one (an agent drawing a progress bar with "\r" and never "\n") is
 * forwarded as several lines of at most this many bytes each, cut on UTF-8 character boundaries. Bounds what one
 * pipe holds in memory, and what one log line weighs.
 */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** A byte that continues a UTF-8 sequence (10xxxxxx): a line is not cut in front of one. */
const continuation = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

/**
 * Reads a child's output stream and calls `onLine` for each line (without the line break; "\r\n" counts as one);
 * a last unterminated line counts too. A line longer than `maxLineBytes` (default {@link MAX_LINE_BYTES}) is passed
 * on in pieces as it arrives, each piece a line of its own; a lone "\r" is not a line end. The bytes of the line
 * being read are held once, appended to, never rescanned: linear in the output, memory bounded by the cap.
 * When `onLine` returns a promise, reading waits for it: the pipe fills and the child blocks on its writes
 * (backpressure) instead of its output piling up in memory.
 */
export async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => unknown,
  maxLineBytes: number = MAX_LINE_BYTES,
): Promise<void> {
  // room for the longest UTF-8 character
  maxLineBytes = Math.max(4, Math.floor(maxLineBytes));
  // ignoreBOM: each line is decoded on its own, so only a byte order mark that starts the stream is dropped
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const reader = stream.getReader();
  // the line being read when it spans chunks: appended to, never rescanned; at most maxLineBytes
  let buffer: Uint8Array | undefined;
  let length = 0;
  let first = true;
  // the current line has already been passed on in pieces
  let continued = false;

  const send = async (bytes: Uint8Array, lineEnd: boolean): Promise<void> => {
    let line = bytes;
    if (lineEnd && line[line.byteLength - 1] === CARRIAGE_RETURN) line = line.subarray(0, -1);
    // a line sent in pieces whose last piece ended where the line did: nothing left of it
    if (lineEnd && continued && line.byteLength === 0) return;
    let text = decoder.decode(line);
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    const wait = onLine(text);
    if (wait instanceof Promise) await wait;
  };

  // The buffer is full and the line goes on with `next`: pass on a piece that ends on a character boundary.
  const sendPiece = async (buffered: Uint8Array, next: number): Promise<void> => {
    let cut = length;
    if (continuation(next)) {
      // back to the first byte of the character `next` belongs to (a UTF-8 character has at most 4 bytes)
      while (cut > length - 3 && continuation(buffered[cut - 1])) cut -= 1;
      cut = cut > length - 3 && cut > 1 ? cut - 1 : length;
    }
    await send(buffered.subarray(0, cut), false);
    continued = true;
    buffered.copyWithin(0, cut, length);
    length -= cut;
  };

  const take = async (chunk: Uint8Array): Promise<void> => {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.byteLength : newline;
      if (length === 0 && newline !== -1 && end - start <= maxLineBytes)
        await send(chunk.subarray(start, end), true); // the whole line is in this chunk
      else {
        buffer ??= new Uint8Array(maxLineBytes);
        while (start < end) {
          if (length === maxLineBytes) await sendPiece(buffer, chunk[start]!);
          const count = Math.min(end - start, maxLineBytes - length);
          buffer.set(chunk.subarray(start, start + count), length);
          length += count;
          start += count;
        }
        if (newline === -1) return;
        await send(buffer.subarray(0, length), true);
        length = 0;
      }
      continued = false;
      start = newline + 1;
    }
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await take(value);
    }
  } catch {
    // a stream torn down with the child: what arrived has been forwarded
  } finally {
    reader.releaseLock();
  }
  if (length > 0 && buffer) await send(buffer.subarray(0, length), false);
}
