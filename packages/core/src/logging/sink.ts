import { describeValue } from "../config/describe-value.ts";

/** Where finished lines go. A plain `(line) => void` function is a sink too. */
export interface LogSink {
  /** Takes one complete line (no trailing newline). Must not be slow: buffer if the target is. */
  write(line: string): void;
  /** Resolves once every line written so far has reached its target. */
  flush?(): Promise<void>;
  /** Flushes, then releases the target. */
  close?(): Promise<void>;
}

export type LogSinkLike = LogSink | ((line: string) => void);

export function toLogSink(sink: LogSinkLike): LogSink {
  if (typeof sink === "function") return { write: sink };
  if (sink && typeof sink.write === "function") return sink;
  throw new TypeError(
    `Invalid log sink: expected a function (line) => void or an object with write(line), got ${describeValue(sink)}`,
  );
}
