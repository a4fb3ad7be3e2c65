// forwardLines: a child's output split into lines, an overlong line (a progress bar drawn with "\r", never "\n")
// passed on in pieces of at most MAX_LINE_BYTES while it arrives, in time and memory linear in the output.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forwardLines, MAX_LINE_BYTES } from "../../src/output-lines.ts";
import { fixture, platform } from "../helpers.ts";

const encoder = new TextEncoder();
const bytesOf = (text: string): number => encoder.encode(text).byteLength;

/** A stream of the given chunks, one per read. */
function chunked(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.close();
    },
  });
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((offset) => offset % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    if (point > start) chunks.push(bytes.slice(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

/**
 * What forwardLines passes on, said plainly: lines end at "\n" (a "\r" before it is dropped), a line longer than
 * `max` bytes goes out in pieces of as many whole characters as fit in `max` bytes, and the "\r" of a "\r\n" that
 * ends up alone in the last piece leaves no empty piece behind; a last line without "\n" is passed on as it is.
 */
function expectedLines(text: string, max: number): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  const last = lines.pop()!;
  const pieces = (line: string): string[] => {
    const result: string[] = [];
    let piece = "";
    for (const char of line) {
      if (bytesOf(piece) + bytesOf(char) > max) {
        result.push(piece);
        piece = "";
      }
      piece += char;
    }
    result.push(piece);
    return result;
  };
  for (const line of lines) {
    const split = pieces(line);
    const end = split.pop()!.replace(/\r$/, "");
    out.push(...split);
    if (end !== "" || split.length === 0) out.push(end);
  }
  if (last !== "") out.push(...pieces(last));
  return out;
}

describe("forwardLines", () => {
  it('a child drawing a progress bar with "\\r" and no "\\n": its output arrives in 64 KiB lines while it writes', async () => {
    const total = 16 * MAX_LINE_BYTES; // 1 MiB without a newline
    const child = platform.process.spawn(process.execPath, [fixture("progress-bar.mjs"), String(total), "stdin"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const pieces: string[] = [];
    let exited = false;
    void child.status.then(() => (exited = true));
    let onPieces!: () => void;
    const fifteen = new Promise<void>((resolve) => (onPieces = resolve));
    const forwarded = forwardLines(child.stdout!, (line) => {
      pieces.push(line);
      if (pieces.length === 15) onPieces();
    });
    // 15 full pieces, while the line goes on (the child cannot end it before it reads stdin): the 16th is held until
    // a byte past it arrives, in case the line ends there
    await fifteen;
    expect(exited).toBe(false);
    expect(pieces.length).toBe(15);
    expect(pieces.every((piece) => bytesOf(piece) === MAX_LINE_BYTES)).toBe(true);
    const writer = child.stdin!.getWriter();
    await writer.write(encoder.encode("go"));
    await writer.close();
    await forwarded;
    expect((await child.status).code).toBe(0);
    // the 16th piece went out when "tail" arrived; "tail\n" ends the line
    expect(pieces.length).toBe(17);
    expect(pieces.slice(0, 16).every((piece) => bytesOf(piece) === MAX_LINE_BYTES)).toBe(true);
    expect(pieces[16]).toBe("tail");
    const text = pieces.slice(0, 16).join("");
    expect(text.startsWith("\rprogress 0 ###")).toBe(true);
    expect(text.split("\r").length).toBeGreaterThan(9000); // each "\r" kept: it is not a line end
    expect(text).not.toContain("\n");
  });

  it("32 MiB without a newline: memory held stays under one piece plus a chunk, every byte passed on", async () => {
    const chunk = encoder.encode(`\rprogress ${"#".repeat(100)}`.repeat(650).slice(0, 65_000));
    const chunks = Math.ceil((32 * 1024 * 1024) / chunk.byteLength);
    let read = 0;
    let forwardedBytes = 0;
    let pieces = 0;
    let largest = 0;
    let heldMost = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        heldMost = Math.max(heldMost, read - forwardedBytes);
        if (read >= chunks * chunk.byteLength) return controller.close();
        read += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    await forwardLines(stream, (line) => {
      const bytes = bytesOf(line);
      forwardedBytes += bytes;
      pieces += 1;
      largest = Math.max(largest, bytes);
    });
    expect(forwardedBytes).toBe(chunks * chunk.byteLength);
    expect(largest).toBe(MAX_LINE_BYTES);
    expect(pieces).toBe(Math.ceil(forwardedBytes / MAX_LINE_BYTES));
    // what is read and not yet passed on never exceeds one piece and the chunk being read
    expect(heldMost).toBeLessThanOrEqual(MAX_LINE_BYTES + chunk.byteLength);
  });

  it("keeps lines, \\r\\n and a last line without newline; multi-byte characters are never cut", async () => {
    const text = "one\r\ntwo\n\nthree\rstill three\n\u00e9\u20ac\u{1f600}".repeat(3);
    const lines: string[] = [];
    await forwardLines(chunked(cut(encoder.encode(text), [1, 5, 6, 17, 31, 40, 41, 42, 43, 90])), (line) => {
      lines.push(line);
    });
    expect(lines).toEqual(expectedLines(text, MAX_LINE_BYTES));
    expect(lines[0]).toBe("one");
    expect(lines[3]).toBe("three\rstill three");
    expect(lines.at(-1)).toBe("\u00e9\u20ac\u{1f600}");
  });

  it("a leading byte order mark is dropped, one later in the stream is kept", async () => {
    const lines: string[] = [];
    await forwardLines(chunked([encoder.encode("\ufeffa\n\ufeffb\n")]), (line) => {
      lines.push(line);
    });
    expect(lines).toEqual(["a", "\ufeffb"]);
  });

  it("any text cut into any chunks, any cap: lines and pieces as specified, none longer than the cap", async () => {
    const piece = fc.oneof(
      fc.constantFrom("\n", "\r", "\r\n", "a", "\u00e9", "\u20ac", "\u{1f600}"),
      fc
        .string({ unit: "binary", maxLength: 6 })
        // well-formed text (no lone surrogate), no byte order mark
        .map((s) => s.replace(/[\ud800-\udfff\ufeff]/gu, "")),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 60 }).map((parts) => parts.join("")),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 4, max: 24 }),
        async (text, offsets, max) => {
          const lines: string[] = [];
          await forwardLines(
            chunked(cut(encoder.encode(text), offsets)),
            (line) => {
              lines.push(line);
            },
            max,
          );
          expect(lines).toEqual(expectedLines(text, max));
          for (const line of lines) {
            expect(bytesOf(line)).toBeLessThanOrEqual(max);
            expect(line).not.toContain("\ufffd");
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
