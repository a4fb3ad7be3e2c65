import type { Readable, Writable } from "node:stream";
import { toPlatformError } from "@aral/platform";

/** Bytes as a plain Uint8Array view (no copy): a Buffer compares unequal to a Uint8Array in deep equality. */
export function plainBytes(chunk: Uint8Array | string): Uint8Array {
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  return chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

const HIGH_WATER_BYTES = 64 * 1024;

/**
 * A node Readable as a Web ReadableStream with backpressure (the node stream is paused while the
 * web queue is full). Hand-rolled rather than Readable.toWeb so chunks are plain Uint8Arrays and the
 * behaviour is the same on Node 20-24 and in the Deno/Bun node compatibility layers.
 */
export function readableToWeb(readable: Readable, syscall: string): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        readable.on("data", (chunk: Uint8Array | string) => {
          if (settled) return;
          controller.enqueue(plainBytes(chunk));
          if ((controller.desiredSize ?? 0) <= 0) readable.pause();
        });
        readable.once("end", () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
        readable.once("error", (error) => {
          if (settled) return;
          settled = true;
          controller.error(toPlatformError(error, { syscall }));
        });
        // destroyed without 'end' (e.g. the other side vanished): end the web stream too
        readable.once("close", () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
      },
      pull() {
        readable.resume();
      },
      cancel() {
        settled = true;
        readable.destroy();
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
  );
}

/** A node Writable as a Web WritableStream: write() resolves once node has taken the chunk. */
export function writableToWeb(writable: Writable, syscall: string): WritableStream<Uint8Array> {
  // an 'error' without listener would crash the process (EPIPE when the child exits without reading)
  let failure: unknown;
  writable.on("error", (error) => {
    failure ??= error;
  });
  const fail = (error: unknown) => toPlatformError(error, { syscall });
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`${syscall}: expected a Uint8Array chunk, got ${typeof chunk}`);
      }
      if (failure !== undefined) throw fail(failure);
      return new Promise<void>((resolve, reject) => {
        writable.write(chunk, (error) => (error ? reject(fail(error)) : resolve()));
      });
    },
    close() {
      if (failure !== undefined) throw fail(failure);
      // destroyed already (node destroys a child's stdin when the child exits): end()'s callback would never come
      if (writable.destroyed) return;
      return new Promise<void>((resolve, reject) => {
        const settle = () => {
          writable.off("close", settle);
          if (failure !== undefined) reject(fail(failure));
          else resolve();
        };
        writable.once("close", settle); // destroyed while ending
        writable.end(settle);
      });
    },
    abort() {
      writable.destroy();
    },
  });
}
