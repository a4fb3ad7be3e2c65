import type { LogSink } from "./sink.ts";

export interface MemorySink extends LogSink {
  /** Lines in the order written. */
  readonly lines: string[];
  /** The lines parsed as JSON. */
  readonly records: Record<string, unknown>[];
  clear(): void;
}

/** Keeps every line in memory: for tests. */
export function memorySink(): MemorySink {
  const lines: string[] = [];
  return {
    lines,
    get records() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    write: (line) => {
      lines.push(line);
    },
    clear: () => {
      lines.length = 0;
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
