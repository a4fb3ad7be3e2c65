import type { Platform } from "@aral/core";

export interface RotatingLogOptions {
  /** Directory of the files (created, mode 0700, when missing). */
  dir: string;
  /** File name stem: lines go to `<name>.log`, rotated to `<name>.log.1` ... `<name>.log.<files>`. */
  name: string;
  /** A file is rotated before it would grow past this many bytes (a single longer line gets a file of its own). */
  maxBytes: number;
  /** Rotated files kept; 0 keeps none (the current file is truncated by rotation). */
  files: number;
  /** Queued bytes past which write() asks its caller to wait. Default 1 MiB. */
  highWaterBytes?: number;
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
 * the queue grow without bound, and no line is dropped.
 */
export class RotatingLog {
  readonly #platform: Pick<Platform, "fs">;
  readonly #options: Required<RotatingLogOptions>;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #size: number | undefined;
  #flushing: Promise<void> | undefined;
  #drained: Array<() => void> = [];
  readonly #listeners = new Set<(line: string) => void>();
  #failure: unknown;

  constructor(platform: Pick<Platform, "fs">, options: RotatingLogOptions) {
    this.#platform = platform;
    this.#options = { highWaterBytes: 1024 * 1024, ...options };
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

  /** The first write failure (disk full, permission), once one happened; lines keep queueing and are retried. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Follow new lines as they are queued; returns unsubscribe. */
  subscribe(listener: (line: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queues one line (without its line break). Returns a promise when the caller should wait before the next one. */
  write(line: string): Promise<void> | undefined {
    const bytes = encoder.encode(`${line}\n`);
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.byteLength;
    for (const listener of this.#listeners) {
      try {
        listener(line);
      } catch {
        // a follower's failure is its own
      }
    }
    this.#flushing ??= this.#flush();
    if (this.#queuedBytes <= this.#options.highWaterBytes) return undefined;
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Resolves once every queued line is on disk. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        if (this.#size === undefined) await this.#open();
        const room = this.#options.maxBytes - this.#size!;
        let take = 0;
        let bytes = 0;
        while (take < this.#queue.length && bytes + this.#queue[take]!.byteLength <= room)
          bytes += this.#queue[take++]!.byteLength;
        if (take === 0) {
          if (this.#size! > 0) {
            await this.#rotate();
            continue;
          }
          bytes = this.#queue[0]!.byteLength; // one line longer than maxBytes: a file of its own
          take = 1;
        }
        const chunk = concat(this.#queue.slice(0, take), bytes);
        try {
          await this.#platform.fs.writeFile(this.path, chunk, { append: true, mode: 0o600 });
        } catch (error) {
          this.#failure ??= error;
          this.#size = undefined;
          await new Promise((resolve) => setTimeout(resolve, 200)); // retried: lines are kept, the producer stays paused
          continue;
        }
        this.#queue.splice(0, take);
        this.#queuedBytes -= bytes;
        this.#size! += bytes;
        if (this.#queuedBytes <= this.#options.highWaterBytes / 2) this.#release();
      }
    } finally {
      this.#release();
      this.#flushing = undefined;
    }
  }

  #release(): void {
    const waiting = this.#drained;
    this.#drained = [];
    for (const resolve of waiting) resolve();
  }

  async #open(): Promise<void> {
    await this.#platform.fs.mkdir(this.#options.dir, { recursive: true, mode: 0o700 });
    try {
      this.#size = (await this.#platform.fs.stat(this.path)).size;
    } catch {
      this.#size = 0;
    }
  }

  async #rotate(): Promise<void> {
    const { files } = this.#options;
    const fs = this.#platform.fs;
    if (files === 0) await fs.remove(this.path).catch(() => {});
    else {
      for (let i = files - 1; i >= 1; i--)
        await fs.rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => {});
      await fs.rename(this.path, `${this.path}.1`);
    }
    this.#size = 0;
  }
}
