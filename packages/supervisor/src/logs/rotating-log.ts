import type { Platform } from "@aral/core";
import { isPlatformError } from "@aral/platform";
import { LogFileError } from "./log-file-error.ts";

export interface RotatingLogOptions {
  /** Directory of the files (created, mode 0700, when missing). */
  dir: string;
  /** File name stem: lines go to `<name>.log`, rotated to `<name>.log.1` ... `<name>.log.<files>`. */
  name: string;
  /** A file is rotated before it would grow past this many bytes (a single longer line gets a file of its own). */
  maxBytes: number;
  /** Rotated files kept; 0 keeps none (the current file is truncated by rotation). */
  files: number;
  /**
   * Queued bytes past which write() asks its caller to wait. Default: what the files keep (`maxBytes * (files + 1)`),
   * at least 64 KiB and at most 1 MiB; more would only be rotated away, and would make flush() wait longer.
   */
  highWaterBytes?: number;
  /** While the file cannot be written, lines are dropped and a write is tried again at most this often. Default 1000 ms. */
  retryMs?: number;
  /** Called once when writing starts failing (then lines are dropped, counted), not again until it has recovered. */
  onWriteError?: (error: LogFileError) => void;
  /** Called once when a write succeeds after a failure, with the lines dropped meanwhile. */
  onWriteRecovered?: (dropped: number) => void;
}

const encoder = new TextEncoder();

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * An append-only log file with size-based rotation, written through the Platform's fs. Lines queue in
 * memory while a write is in flight; past `highWaterBytes` write() returns a promise that settles once
 * the queue has drained, so a producer that awaits it (the supervisor pausing a child's pipe) never makes
 * the queue grow without bound, and no line is dropped while the file can be written.
 *
 * A failed write (directory gone or not creatable, file replaced by a directory, permission, disk full) never
 * throws and is not retried in a loop: the lines queued are dropped and counted, `onWriteError` is told once,
 * and until `retryMs` has passed new lines are dropped at once (followers still get them). The next line after
 * that tries again; once a write succeeds, a line saying how many were dropped is written first and
 * `onWriteRecovered` is told. So flush() settles after at most one attempt, whatever the disk does.
 */
export class RotatingLog {
  readonly #platform: Pick<Platform, "fs">;
  readonly #options: Required<Omit<RotatingLogOptions, "onWriteError" | "onWriteRecovered">> &
    Pick<RotatingLogOptions, "onWriteError" | "onWriteRecovered">;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #size: number | undefined;
  #flushing: Promise<void> | undefined;
  #drained: Array<() => void> = [];
  readonly #listeners = new Set<(line: string) => void>();
  #failure: LogFileError | undefined;
  #retryAt = 0;
  /** Lines dropped since writing last worked (told in the file once it works again). */
  #dropped = 0;
  #droppedTotal = 0;
  /** queue[0] is the "lines dropped" note, not an agent's line. */
  #noteQueued = false;
  /** Lines ever queued, and of those the ones written or dropped: flush() waits for a count, not for an empty queue. */
  #queuedLines = 0;
  #settledLines = 0;
  /** flush() calls waiting for #settledLines to reach their count. */
  #settleWaiters: Array<{ lines: number; resolve: () => void }> = [];

  constructor(platform: Pick<Platform, "fs">, options: RotatingLogOptions) {
    this.#platform = platform;
    const kept = options.maxBytes * (options.files + 1);
    const highWaterBytes = Math.min(1024 * 1024, Math.max(64 * 1024, kept));
    this.#options = { highWaterBytes, retryMs: 1000, ...options };
  }

  /** The current file. */
  get path(): string {
    return `${this.#options.dir}/${this.#options.name}.log`;
  }

  /** Every file, oldest first: `.log.<files>` ... `.log.1`, `.log`. */
  get paths(): string[] {
    const rotated = Array.from({ length: this.#options.files }, (_, i) => `${this.path}.${this.#options.files - i}`);
    return [...rotated, this.path];
  }

  /** Bytes queued in memory, not yet on disk (bounded by highWaterBytes plus what a producer wrote before pausing). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Why the file cannot be written, while it cannot (undefined once a write has succeeded again). */
  get failure(): LogFileError | undefined {
    return this.#failure;
  }

  /** Lines dropped because the file could not be written, since this log was created. */
  get droppedLines(): number {
    return this.#droppedTotal;
  }

  /**
   * Creates the directory when missing and opens the current file for appending (creating it, empty), as the
   * first write would: rejects with a LogFileError naming the directory or file and the errno code when either
   * cannot be done. Writes no line.
   */
  async check(): Promise<void> {
    await this.#mkdir();
    await this.#opened();
    await this.#append(new Uint8Array(0));
  }

  /** Follow new lines as they are queued; returns unsubscribe. */
  subscribe(listener: (line: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Queues one line (without its line break). Returns a promise when the caller should wait before the next one.
   * While the file cannot be written (until the next retry) the line is dropped and counted instead.
   */
  write(line: string): Promise<void> | undefined {
    for (const listener of this.#listeners) {
      try {
        listener(line);
      } catch {
        // a follower's failure is its own
      }
    }
    if (this.#failure !== undefined && this.#flushing === undefined && Date.now() < this.#retryAt) {
      this.#dropped += 1;
      this.#droppedTotal += 1;
      return undefined;
    }
    const bytes = encoder.encode(`${line}\n`);
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.byteLength;
    this.#queuedLines += 1;
    this.#flushing ??= this.#flush();
    if (this.#queuedBytes <= this.#options.highWaterBytes) return undefined;
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /**
   * Resolves once every line queued before the call is on disk, or dropped because the file cannot be written: it
   * waits for the writes in flight, never for a broken disk to come back, nor for lines queued after the call (a
   * producer that never pauses would keep the queue from ever being empty). What it waits for is bounded by
   * highWaterBytes plus what a producer writes before it pauses.
   */
  async flush(): Promise<void> {
    const lines = this.#queuedLines;
    if (this.#settledLines >= lines || this.#flushing === undefined) return;
    await new Promise<void>((resolve) => this.#settleWaiters.push({ lines, resolve }));
  }

  /** Lines written or dropped: lets the flush() calls waiting for them go. */
  #settled(lines: number): void {
    this.#settledLines += lines;
    if (this.#settleWaiters.length === 0) return;
    const idle = this.#flushing === undefined;
    const waiting = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const waiter of waiting) {
      if (idle || this.#settledLines >= waiter.lines) waiter.resolve();
      else this.#settleWaiters.push(waiter);
    }
  }

  /** Never rejects: a failure drops what is queued (see the class). */
  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        if (this.#dropped > 0 && !this.#noteQueued) {
          const note = encoder.encode(
            `${new Date().toISOString()} aral log: ${this.#dropped} line(s) dropped: ${this.#failure?.message ?? "the file could not be written"}\n`,
          );
          this.#queue.unshift(note);
          this.#queuedBytes += note.byteLength;
          this.#noteQueued = true;
        }
        try {
          await this.#writeSome();
        } catch (error) {
          this.#fail(error);
          return;
        }
      }
    } finally {
      this.#release();
      this.#flushing = undefined;
      this.#settled(0);
    }
  }

  /** Writes the lines at the head of the queue that fit in the current file, rotating it first when none fit. */
  async #writeSome(): Promise<void> {
    if (this.#size === undefined) {
      await this.#mkdir();
      await this.#opened();
    }
    const room = this.#options.maxBytes - this.#size!;
    let take = 0;
    let bytes = 0;
    while (take < this.#queue.length && bytes + this.#queue[take]!.byteLength <= room)
      bytes += this.#queue[take++]!.byteLength;
    if (take === 0) {
      if (this.#size! > 0) {
        await this.#rotate();
        return;
      }
      bytes = this.#queue[0]!.byteLength; // one line longer than maxBytes: a file of its own
      take = 1;
    }
    await this.#append(concat(this.#queue.slice(0, take), bytes));
    this.#queue.splice(0, take);
    this.#queuedBytes -= bytes;
    this.#size! += bytes;
    const lines = take - (this.#noteQueued ? 1 : 0);
    this.#noteQueued = false; // it was the head of the queue: written
    this.#settled(lines);
    if (this.#failure !== undefined) {
      const dropped = this.#dropped;
      this.#failure = undefined;
      this.#dropped = 0;
      this.#options.onWriteRecovered?.(dropped);
    }
    if (this.#queuedBytes <= this.#options.highWaterBytes / 2) this.#release();
  }

  #fail(error: unknown): void {
    const failure = error instanceof LogFileError ? error : new LogFileError("write the log file", this.path, error);
    const lines = this.#queue.length - (this.#noteQueued ? 1 : 0);
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#noteQueued = false;
    this.#dropped += lines;
    this.#droppedTotal += lines;
    this.#settled(lines);
    this.#size = undefined; // looked at again on the next attempt
    this.#retryAt = Date.now() + this.#options.retryMs;
    const first = this.#failure === undefined;
    this.#failure = failure;
    if (first) this.#options.onWriteError?.(failure);
  }

  #release(): void {
    const waiting = this.#drained;
    this.#drained = [];
    for (const resolve of waiting) resolve();
  }

  async #mkdir(): Promise<void> {
    try {
      await this.#platform.fs.mkdir(this.#options.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new LogFileError("create the log directory", this.#options.dir, error);
    }
  }

  /** The current file's size (0 when there is none yet); a directory in its place cannot be written. */
  async #opened(): Promise<void> {
    let info: Awaited<ReturnType<Platform["fs"]["stat"]>> | undefined;
    try {
      info = await this.#platform.fs.stat(this.path);
    } catch {
      info = undefined;
    }
    if (info?.isDirectory)
      throw new LogFileError(
        "write the log file",
        this.path,
        Object.assign(new Error("is a directory"), { code: "EISDIR" }),
      );
    this.#size = info?.size ?? 0;
  }

  async #append(chunk: Uint8Array): Promise<void> {
    try {
      await this.#platform.fs.writeFile(this.path, chunk, { append: true, mode: 0o600 });
    } catch (error) {
      throw new LogFileError("write the log file", this.path, error);
    }
  }

  async #rotate(): Promise<void> {
    const { files } = this.#options;
    const fs = this.#platform.fs;
    try {
      if (files === 0) await fs.remove(this.path);
      else {
        for (let i = files - 1; i >= 1; i--)
          await fs.rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => {});
        await fs.rename(this.path, `${this.path}.1`);
      }
    } catch (error) {
      // a file already gone (removed by hand) needs no rotation
      if (!isPlatformError(error, "NotFound")) throw new LogFileError("rotate the log file", this.path, error);
    }
    this.#size = 0;
  }
}
