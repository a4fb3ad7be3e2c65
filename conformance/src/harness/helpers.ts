import type { ChildProcess, ExitStatus } from "@aral/platform";
import { fail } from "./assert.ts";

/** Bytes that differ from position to position (not zeros), so shifted, lost or repeated chunks show. */
export function patternedBytes(size: number, seed = 7): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = (x >>> 0) & 0xff;
  }
  return bytes;
}

export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the promise, or fails the case with `what` if it takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        fail(`${what} did not happen within ${ms} ms`);
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` every 10 ms until it returns true; fails the case with `what` after `ms`. */
export async function until(what: string, ms: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) fail(`${what} did not happen within ${ms} ms`);
    await sleep(10);
  }
}

export function statusWithin(child: ChildProcess, ms: number, what = "the child's exit"): Promise<ExitStatus> {
  return within(child.status, ms, what);
}

/** Reads a child's text output in the background; lets a case wait for a marker, then for the end. */
export interface TextCollector {
  text(): string;
  waitFor(marker: string, ms: number): Promise<void>;
  /** All of it, once the stream has ended. */
  readonly done: Promise<string>;
}

export function collectText(stream: ReadableStream<Uint8Array> | null, label = "stdout"): TextCollector {
  if (!stream) fail(`${label}: expected a readable stream (stdio "pipe"), got null`);
  let text = "";
  const waiters = new Set<() => void>();
  const decoder = new TextDecoder();
  const done = (async () => {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        text += decoder.decode(value, { stream: true });
        for (const wake of waiters) wake();
      }
      text += decoder.decode();
    } finally {
      reader.releaseLock();
      for (const wake of waiters) wake();
    }
    return text;
  })();
  done.catch(() => {});
  let ended = false;
  done
    .finally(() => {
      ended = true;
    })
    .catch(() => {});
  return {
    text: () => text,
    done,
    waitFor(marker: string, ms: number) {
      return within(
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (text.includes(marker)) {
              waiters.delete(check);
              resolve();
            } else if (ended) {
              waiters.delete(check);
              reject(new Error(`${label} ended without ${JSON.stringify(marker)}; it was ${JSON.stringify(text)}`));
            }
          };
          waiters.add(check);
          check();
          done.then(check, check);
        }),
        ms,
        `${label} showing ${JSON.stringify(marker)} (so far ${JSON.stringify(text)})`,
      );
    },
  };
}

/** Writes all bytes to a writable stream and closes it. */
export async function writeAllAndClose(
  stream: WritableStream<Uint8Array> | null,
  chunks: Uint8Array[],
  label = "stdin",
): Promise<void> {
  if (!stream) fail(`${label}: expected a writable stream (stdio "pipe"), got null`);
  const writer = stream.getWriter();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
}

/** Splits into chunks of varying sizes, the last one short and odd. */
export function chunksOf(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let i = 0;
  while (offset < bytes.byteLength) {
    const size = sizes[i++ % sizes.length]!;
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}

export function joinPath(...parts: string[]): string {
  return parts.join("/").replace(/\/+/g, "/");
}

export function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.length > 0);
}
