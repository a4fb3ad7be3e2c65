import type { LogSink, LogSinkLike } from "./sink.ts";
import { toLogSink } from "./sink.ts";

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};

/**
 * Human-readable lines for a terminal (`logging.format: "pretty"`): time, level, message, then the other
 * fields as key=value. Takes the JSON lines the logger writes, so redaction has already happened.
 */
export function prettySink(target: LogSinkLike = (line) => console.log(line)): LogSink {
  const out = toLogSink(target);
  return {
    write(line) {
      out.write(prettyLine(line));
    },
    ...(out.flush ? { flush: () => out.flush!() } : {}),
    ...(out.close ? { close: () => out.close!() } : {}),
  };
}

export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, ...fields } = record;
  const clock = typeof time === "number" ? new Date(time).toISOString().slice(11, 23) : "--:--:--.---";
  const name = LEVEL_NAMES[level as number] ?? String(level).padEnd(5);
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${clock} ${name} ${String(msg ?? "")}${rest ? `  ${rest}` : ""}`;
}
