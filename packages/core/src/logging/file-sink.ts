import type { Platform } from "@aral/platform";
import { systemClock, type Clock } from "@aral/platform";
import type { LogSink } from "./sink.ts";

export interface FileSinkOptions {
  /** Longest a line waits in the buffer before it is written. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Buffered lines that trigger an immediate write. Default 1000. */
  maxBuffered?: number;
  /** Called when an append fails (those lines are lost). Default: reported through console.error. */
  onError?: (error: unknown, lostLines: number) => void;
  clock?: Clock;
}

export interface FileSink extends LogSink {
  readonly path: string;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class FileSinkError extends Error {
  override readonly name = "FileSinkError";
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/**
 * Buffers lines and appends them in batches through `platform.fs.writeFile(path, data, { append: true })`.
 * Appends run one at a time, in order. `close()` writes everything buffered before it resolves;
 * lines written after close are dropped.
 */
export function fileSink(platform: Pick<Platform, "fs">, path: string, options: FileSinkOptions = {}): FileSink {
  if (typeof path !== "string" || path === "")
    throw new FileSinkError(String(path), `fileSink: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const maxBuffered = options.maxBuffered ?? 1000;
  if (!Number.isFinite(flushIntervalMs) || flushIntervalMs < 0) {
    throw new FileSinkError(path, `fileSink: flushIntervalMs must be a finite number >= 0, got ${flushIntervalMs}`);
  }
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1) {
    throw new FileSinkError(path, `fileSink: maxBuffered must be an integer >= 1, got ${maxBuffered}`);
  }
  const clock = options.clock ?? systemClock;
  const onError =
    options.onError ??
    ((error: unknown, lost: number) => console.error(`fileSink ${path}: ${lost} log line(s) lost:`, error));

  let buffer: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  let timer: AbortController | undefined;
  let closed = false;

  const cancelTimer = () => {
    timer?.abort();
    timer = undefined;
  };

  const writeBuffered = (): Promise<void> => {
    cancelTimer();
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    const data = `${batch.join("\n")}\n`;
    writing = writing.then(() =>
      platform.fs.writeFile(path, data, { append: true }).catch((error: unknown) => {
        try {
          onError(error, batch.length);
        } catch {
          // an error reporter that throws must not break the chain
        }
      }),
    );
    return writing;
  };

  const scheduleTimer = () => {
    if (timer) return;
    const controller = new AbortController();
    timer = controller;
    clock.sleep(flushIntervalMs, controller.signal).then(
      () => {
        if (timer === controller) {
          timer = undefined;
          void writeBuffered();
        }
      },
      () => {},
    );
  };

  return {
    path,
    write(line: string) {
      if (closed) return;
      buffer.push(line);
      if (buffer.length >= maxBuffered) void writeBuffered();
      else scheduleTimer();
    },
    flush: () => writeBuffered(),
    async close() {
      closed = true;
      await writeBuffered();
    },
  };
}
