import { systemClock, type Clock } from "@aral/platform";
import { describeValue } from "../config/describe-value.ts";
import { consoleSink } from "./console-sink.ts";
import {
  LEVEL_VALUES,
  LogLevelError,
  callLevelValue,
  isLogThreshold,
  type LogCallLevel,
  type LogThreshold,
} from "./levels.ts";
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
  /** Only `now()` is read. */
  clock?: Clock;
  /**
   * Extra keys to redact, on top of the built-in secret pattern (case-insensitive; one entry or an array): a name is
   * redacted at any depth, a path in pino's form (`user.ssn`, `items[*].card`, `req.headers["x-key"]`) only there.
   */
  redact?: string | readonly string[];
}

/**
 * Each level method takes the message first, `info("started", { port })`, or pino's way, the fields first,
 * `info({ port }, "started")`: both write the same line. An Error in either place is written as `err` (pino's `err`
 * serializer shape), and alone, `error(err)`, its message is the line's message. Fields with no message write
 * `"msg":""`. pino's printf-style arguments (`info("a %s", x)`) are not interpolated.
 */
export interface Logger {
  /** Lowest level written; settable. A child starts with its parent's level. */
  level: LogThreshold;
  readonly bindings: Readonly<LogFields>;
  debug(msg: string, fields?: LogFields | Error): void;
  debug(fields: LogFields | Error, msg?: string): void;
  info(msg: string, fields?: LogFields | Error): void;
  info(fields: LogFields | Error, msg?: string): void;
  warn(msg: string, fields?: LogFields | Error): void;
  warn(fields: LogFields | Error, msg?: string): void;
  error(msg: string, fields?: LogFields | Error): void;
  error(fields: LogFields | Error, msg?: string): void;
  /**
   * Writes at `level`: one of the four, pino's "trace" (10, below every threshold) or "fatal" (60, written unless
   * the threshold is "silent"), or pino's number for any of them; names in any case, "warning" for "warn". A level
   * it does not know is not dropped: the line is written at error (50) with `"invalidLevel":<what was given>`.
   * "silent" writes nothing, as pino's `silent()`.
   */
  log(level: LogCallLevel, msg: string, fields?: LogFields | Error): void;
  log(level: LogCallLevel, fields: LogFields | Error, msg?: string): void;
  /**
   * A logger writing this one's bindings plus `bindings` (which win on a clash) on every line, sharing its sink.
   * `bindings` is an object (undefined or null: none); anything else is a TypeError naming it. A field whose getter
   * throws is kept as "[Unreadable: <its error>]", as on a line.
   */
  child(bindings: LogFields): Logger;
  /** Whether `log(level, ...)` would write a line now (an unknown level: whether error would). */
  isLevelEnabled(level: LogCallLevel): boolean;
  /** Resolves once the sink has written everything logged so far. */
  flush(): Promise<void>;
}

/** Keys every line owns; a binding or field with one of these names is written as `_<name>` (`__<name>` if that is taken too). */
const RESERVED = new Set(["level", "time", "msg"]);

const DEBUG = LEVEL_VALUES.debug;
const INFO = LEVEL_VALUES.info;
const WARN = LEVEL_VALUES.warn;
const ERROR = LEVEL_VALUES.error;

interface Shared {
  sink: LogSink;
  clock: Clock;
  redact: KeyRedactor;
}

/**
 * A structured logger writing pino-compatible lines: one JSON object per line,
 * `{"level":30,"time":<epoch ms>,...bindings,...fields,"msg":"..."}` with pino's numeric levels.
 * No `levelName` key: pino tools map the numbers themselves, and pino-pretty would print an
 * extra key on every line. Logging never throws; a bad option does, when the logger is created: a level as a
 * LogLevelError, anything else as a TypeError naming the option and the value given.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`Invalid logger options: expected an object, got ${describeValue(options)}`);
  }
  const level = options.level ?? "info";
  if (!isLogThreshold(level)) throw new LogLevelError(level);
  const clock = options.clock ?? systemClock;
  if ((typeof clock !== "object" && typeof clock !== "function") || clock === null || typeof clock.now !== "function") {
    throw new TypeError(
      `Invalid log option clock: expected a Clock (an object with now()), got ${describeValue(clock)}`,
    );
  }
  const shared: Shared = {
    sink: toLogSink(options.sink ?? consoleSink()),
    clock,
    redact: createKeyRedactor(options.redact ?? []),
  };
  return new JsonLogger(shared, level, copyFields({}, checkBindings(options.bindings, "log option bindings")));
}

class JsonLogger implements Logger {
  #level: LogThreshold;
  /** The number of #level: a line is written when its level's number is at least this. */
  #minimum: number;
  readonly #shared: Shared;
  readonly bindings: Readonly<LogFields>;
  /** Bindings already converted to JSON text (without braces), computed once. */
  readonly #bindingsJson: string;

  /** `bindings` is the logger's own copy: it is frozen, not copied. */
  constructor(shared: Shared, level: LogThreshold, bindings: LogFields) {
    this.#shared = shared;
    this.#level = level;
    this.#minimum = LEVEL_VALUES[level];
    this.bindings = Object.freeze(bindings);
    this.#bindingsJson = fieldsJson(bindings, shared.redact);
  }

  get level(): LogThreshold {
    return this.#level;
  }

  set level(value: LogThreshold) {
    if (!isLogThreshold(value)) throw new LogLevelError(value);
    this.#level = value;
    this.#minimum = LEVEL_VALUES[value];
  }

  isLevelEnabled(level: LogCallLevel): boolean {
    const value = callLevelValue(level) ?? ERROR;
    return value !== 0 && value >= this.#minimum;
  }

  debug(msg: string, fields?: LogFields | Error): void;
  debug(fields: LogFields | Error, msg?: string): void;
  debug(msg: unknown, fields?: unknown): void {
    if (this.#minimum <= DEBUG) this.#write(DEBUG, msg, fields);
  }
  info(msg: string, fields?: LogFields | Error): void;
  info(fields: LogFields | Error, msg?: string): void;
  info(msg: unknown, fields?: unknown): void {
    if (this.#minimum <= INFO) this.#write(INFO, msg, fields);
  }
  warn(msg: string, fields?: LogFields | Error): void;
  warn(fields: LogFields | Error, msg?: string): void;
  warn(msg: unknown, fields?: unknown): void {
    if (this.#minimum <= WARN) this.#write(WARN, msg, fields);
  }
  error(msg: string, fields?: LogFields | Error): void;
  error(fields: LogFields | Error, msg?: string): void;
  error(msg: unknown, fields?: unknown): void {
    if (this.#minimum <= ERROR) this.#write(ERROR, msg, fields);
  }

  log(level: LogCallLevel, msg: string, fields?: LogFields | Error): void;
  log(level: LogCallLevel, fields: LogFields | Error, msg?: string): void;
  log(level: unknown, msg: unknown, fields?: unknown): void {
    const value = callLevelValue(level);
    if (value === undefined) {
      if (ERROR >= this.#minimum) this.#write(ERROR, msg, fields, { given: level });
    } else if (value !== 0 && value >= this.#minimum) this.#write(value, msg, fields);
  }

  child(bindings: LogFields): Logger {
    return new JsonLogger(
      this.#shared,
      this.#level,
      copyFields(this.bindings, checkBindings(bindings, "child bindings")),
    );
  }

  async flush(): Promise<void> {
    await this.#shared.sink.flush?.();
  }

  #write(value: number, msg: unknown, fields: unknown, invalid?: { given: unknown }): void {
    try {
      this.#shared.sink.write(this.#line(value, msg, fields, invalid));
    } catch {
      // a log call must never take the caller down (bad sink, hostile input)
    }
  }

  #line(value: number, msg: unknown, fields: unknown, invalid: { given: unknown } | undefined): string {
    let text: string;
    let extra = fields;
    if (typeof msg === "string") text = msg;
    else if (msg instanceof Error) {
      // error(err), error(err, "msg"), error(err, { more })
      if (typeof fields === "string") {
        text = fields;
        extra = { err: msg };
      } else {
        text = safeString(readMessage(msg));
        extra = fields !== null && typeof fields === "object" ? { err: msg, ...fields } : { err: msg };
      }
    } else if (msg !== null && typeof msg === "object" && !Array.isArray(msg)) {
      // pino's fields-first form: info({ userId }, "msg")
      text = typeof fields === "string" ? fields : fields === undefined ? "" : safeString(fields);
      extra = msg;
    } else if ((msg === undefined || msg === null) && typeof fields === "string") {
      // info(maybeFields, "msg") with no fields
      text = fields;
      extra = undefined;
    } else text = safeString(msg);
    if (extra instanceof Error) extra = { err: extra };
    const time = lineTime(this.#shared.clock);
    let body = `{"level":${value},"time":${time}`;
    if (this.#bindingsJson) body += `,${this.#bindingsJson}`;
    const fieldText =
      extra !== null && typeof extra === "object" ? fieldsJson(extra as LogFields, this.#shared.redact) : "";
    if (fieldText) body += `,${fieldText}`;
    if (invalid) body += `,"invalidLevel":${JSON.stringify(levelNote(invalid.given))}`;
    return `${body},"msg":${JSON.stringify(text)}}`;
  }
}

/** undefined or null: no bindings; an object (not an array): its fields; anything else: a TypeError. */
function checkBindings(bindings: unknown, what: string): LogFields {
  if (bindings === undefined || bindings === null) return {};
  if (typeof bindings !== "object" || Array.isArray(bindings)) {
    throw new TypeError(`Invalid ${what}: expected an object of fields, got ${describeValue(bindings)}`);
  }
  return bindings as LogFields;
}

/**
 * `{ ...base, ...fields }`, which a throwing getter or proxy trap in `fields` cannot turn into a throw: such a field
 * reads as "[Unreadable: <its error>]", as on the line.
 */
function copyFields(base: Readonly<LogFields>, fields: LogFields): LogFields {
  try {
    return { ...base, ...fields };
  } catch {
    const converted = toJsonValue(fields, () => false);
    const readable = converted !== null && typeof converted === "object" && !Array.isArray(converted) ? converted : {};
    return { ...base, ...readable };
  }
}

/** How an unknown level appears in its line: a string, number or boolean as itself, anything else described. */
function levelNote(level: unknown): JsonValue {
  if (typeof level === "string" || typeof level === "boolean" || level === null) return level;
  if (typeof level === "number" && Number.isFinite(level)) return level;
  return describeValue(level);
}

function readMessage(error: Error): unknown {
  try {
    return error.message;
  } catch {
    return "[unreadable message]";
  }
}

/** `"key":value,...` for an object's entries, reserved keys renamed, secrets redacted. */
function fieldsJson(fields: LogFields, redact: KeyRedactor): string {
  const converted = toJsonValue(fields, redact);
  if (!converted || typeof converted !== "object" || Array.isArray(converted)) return "";
  const parts: string[] = [];
  const entries = converted as Record<string, JsonValue>;
  for (const [key, value] of Object.entries(entries)) {
    let name = key;
    // `level` is written as `_level`, or `__level` when the fields hold a `_level` too: no key twice on a line
    while (RESERVED.has(name.replace(/^_+/, "")) && (name === key ? RESERVED.has(name) : Object.hasOwn(entries, name)))
      name = `_${name}`;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return parts.join(",");
}

/** The line's epoch ms: a clock that throws or reads NaN must not drop the line or write `"time":NaN` (not JSON). */
function lineTime(clock: Clock): number {
  try {
    const time = Math.round(wallTime(clock));
    if (Number.isFinite(time)) return time;
  } catch {
    // fall through to the wall clock
  }
  return Date.now();
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[unprintable message]";
  }
}
