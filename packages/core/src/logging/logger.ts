import { systemClock, type Clock } from "@aral/platform";
import { consoleSink } from "./console-sink.ts";
import { LEVEL_VALUES, LogLevelError, isLogThreshold, type LogLevel, type LogThreshold } from "./levels.ts";
import { createKeyRedactor, type KeyRedactor } from "./redact.ts";
import { toLogSink, type LogSink, type LogSinkLike } from "./sink.ts";
import { toJsonValue, type JsonValue } from "./to-json-value.ts";
import { wallTime } from "./wall-time.ts";

export type LogFields = Record<string, unknown>;

export interface LoggerOptions {
  /** Lowest level written. Default "info". */
  level?: LogThreshold;
  /** Default consoleSink(). */
  sink?: LogSinkLike;
  /** Context added to every line (instance id, component, ...). */
  bindings?: LogFields;
  clock?: Clock;
  /** Extra key names to redact (exact, case-insensitive), on top of the built-in secret pattern. */
  redact?: string[];
}

export interface Logger {
  /** Lowest level written; settable. A child starts with its parent's level. */
  level: LogThreshold;
  readonly bindings: Readonly<LogFields>;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
  /** Resolves once the sink has written everything logged so far. */
  flush(): Promise<void>;
}

/** Keys every line owns; a binding or field with one of these names is written as `_<name>`. */
const RESERVED = new Set(["level", "time", "msg"]);

interface Shared {
  sink: LogSink;
  clock: Clock;
  redact: KeyRedactor;
}

/**
 * A structured logger writing pino-compatible lines: one JSON object per line,
 * `{"level":30,"time":<epoch ms>,...bindings,...fields,"msg":"..."}` with pino's numeric levels.
 * No `levelName` key: pino tools map the numbers themselves, and pino-pretty would print an
 * extra key on every line. Logging never throws.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  if (!isLogThreshold(level)) throw new LogLevelError(level);
  const shared: Shared = {
    sink: toLogSink(options.sink ?? consoleSink()),
    clock: options.clock ?? systemClock,
    redact: createKeyRedactor(options.redact ?? []),
  };
  return new JsonLogger(shared, level, options.bindings ?? {});
}

class JsonLogger implements Logger {
  #level: LogThreshold;
  readonly #shared: Shared;
  readonly bindings: Readonly<LogFields>;
  /** Bindings already converted to JSON text (without braces), computed once. */
  readonly #bindingsJson: string;

  constructor(shared: Shared, level: LogThreshold, bindings: LogFields) {
    this.#shared = shared;
    this.#level = level;
    this.bindings = Object.freeze({ ...bindings });
    this.#bindingsJson = fieldsJson(bindings, shared.redact);
  }

  get level(): LogThreshold {
    return this.#level;
  }

  set level(value: LogThreshold) {
    if (!isLogThreshold(value)) throw new LogLevelError(value);
    this.#level = value;
  }

  isLevelEnabled(level: LogLevel): boolean {
    return LEVEL_VALUES[level] >= LEVEL_VALUES[this.#level];
  }

  debug(msg: string, fields?: LogFields): void {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log("error", msg, fields);
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    try {
      if (!Object.hasOwn(LEVEL_VALUES, level) || !this.isLevelEnabled(level)) return;
      this.#shared.sink.write(this.#line(level, msg, fields));
    } catch {
      // a log call must never take the caller down (bad sink, hostile input)
    }
  }

  child(bindings: LogFields): Logger {
    return new JsonLogger(this.#shared, this.#level, { ...this.bindings, ...bindings });
  }

  async flush(): Promise<void> {
    await this.#shared.sink.flush?.();
  }

  #line(level: LogLevel, msg: unknown, fields: LogFields | undefined): string {
    let text: string;
    let extra = fields;
    if (typeof msg === "string") text = msg;
    else if (msg instanceof Error) {
      text = msg.message;
      extra = { err: msg, ...fields };
    } else text = safeString(msg);
    if (extra instanceof Error) extra = { err: extra };
    const time = Math.round(wallTime(this.#shared.clock));
    let body = `{"level":${LEVEL_VALUES[level]},"time":${time}`;
    if (this.#bindingsJson) body += `,${this.#bindingsJson}`;
    const fieldText = extra && typeof extra === "object" ? fieldsJson(extra, this.#shared.redact) : "";
    if (fieldText) body += `,${fieldText}`;
    return `${body},"msg":${JSON.stringify(text)}}`;
  }
}

/** `"key":value,...` for an object's entries, reserved keys renamed, secrets redacted. */
function fieldsJson(fields: LogFields, redact: KeyRedactor): string {
  const converted = toJsonValue(fields, redact);
  if (!converted || typeof converted !== "object" || Array.isArray(converted)) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(converted as Record<string, JsonValue>)) {
    const name = RESERVED.has(key) ? `_${key}` : key;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return parts.join(",");
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[unprintable message]";
  }
}
