import type { LogSink } from "./sink.ts";

/** Writes each line to stdout through console.log, the one way every runtime shares. */
export function consoleSink(): LogSink {
  return { write: (line) => console.log(line) };
}
