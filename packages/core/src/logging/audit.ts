import type { Platform } from "@aral/platform";
import { systemClock, type Clock } from "@aral/platform";
import { canonicalJson } from "./canonical-json.ts";
import { fileSink } from "./file-sink.ts";
import { createKeyRedactor, type KeyRedactor } from "./redact.ts";
import { hmacSha256Hex, sha256Hex } from "./sha256.ts";
import { toLogSink, type LogSink, type LogSinkLike } from "./sink.ts";
import { toJsonValue, type JsonValue } from "./to-json-value.ts";
import { wallTime } from "./wall-time.ts";

/**
 * One audit event. `hash` = SHA-256 (hex) of canonicalJson({ seq, time, type, data, prev });
 * `prev` is the previous record's hash (GENESIS_HASH for seq 1), so a modified, deleted, inserted
 * or reordered record breaks the chain.
 */
export interface AuditRecord {
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly type: string;
  readonly data: { readonly [key: string]: JsonValue };
  readonly prev: string;
  readonly hash: string;
}

export const GENESIS_HASH: string = "0".repeat(64);

export interface AuditLogOptions {
  /** Default: no output (records are only returned). Use fileSink(platform, path) for a file. */
  sink?: LogSinkLike;
  clock?: Clock;
  /** Extra keys to redact in `data` (one entry or an array; names or pino-style paths, see createKeyRedactor). */
  redact?: string | readonly string[];
  /** Continue an existing chain: the last record already written. */
  continueFrom?: { seq: number; hash: string };
  /**
   * Keyed mode: each record's `hash` is HMAC-SHA-256 under this secret instead of plain SHA-256, so whoever can
   * edit the file but does not hold the key cannot re-chain a forgery. Verify with the same key.
   */
  key?: Uint8Array;
}

export type AuditErrorReason =
  | "invalid-type"
  | "invalid-data"
  | "invalid-continuation"
  | "invalid-key"
  | "closed"
  | "broken-chain"
  | "unwritable";

export class AuditError extends Error {
  override readonly name = "AuditError";
  readonly reason: AuditErrorReason;
  constructor(message: string, reason: AuditErrorReason) {
    super(message);
    this.reason = reason;
  }
}

/** Hash-chained, append-only audit log of lifecycle, resource-allocation and error events. */
export class AuditLog {
  readonly #sink: LogSink | undefined;
  readonly #clock: Clock;
  readonly #redact: KeyRedactor;
  #seq: number;
  #lastHash: string;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #key: Uint8Array | undefined;

  constructor(options: AuditLogOptions = {}) {
    this.#sink = options.sink === undefined ? undefined : toLogSink(options.sink);
    this.#clock = options.clock ?? systemClock;
    this.#redact = createKeyRedactor(options.redact ?? []);
    const from = options.continueFrom;
    if (from !== undefined) {
      if (!Number.isInteger(from.seq) || from.seq < 0 || !isHash(from.hash)) {
        throw new AuditError(
          `AuditLog continueFrom must be { seq: integer >= 0, hash: 64 lowercase hex chars }, got ${JSON.stringify(from)}`,
          "invalid-continuation",
        );
      }
    }
    if (options.key !== undefined && (!(options.key instanceof Uint8Array) || options.key.byteLength < 16)) {
      throw new AuditError("AuditLog key must be a Uint8Array of at least 16 bytes", "invalid-key");
    }
    this.#key = options.key;
    this.#seq = from?.seq ?? 0;
    this.#lastHash = from?.hash ?? GENESIS_HASH;
  }

  /** The last record appended (or continued from): where a later log would continue. */
  get head(): { seq: number; hash: string } {
    return { seq: this.#seq, hash: this.#lastHash };
  }

  /** Appends one record. Concurrent calls are chained in call order. */
  append(type: string, data: Record<string, unknown> = {}): Promise<AuditRecord> {
    if (this.#closed)
      return Promise.reject(new AuditError(`AuditLog is closed: cannot append "${String(type)}"`, "closed"));
    if (typeof type !== "string" || type.trim() === "") {
      return Promise.reject(
        new AuditError(
          `Audit record type must be a non-empty string, got ${JSON.stringify(type) ?? String(type)}`,
          "invalid-type",
        ),
      );
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      return Promise.reject(
        new AuditError(
          `Audit record data must be a plain object, got ${Array.isArray(data) ? "an array" : data === null ? "null" : typeof data}`,
          "invalid-data",
        ),
      );
    }
    // Sanitize now, so the record reflects `data` as it was at the call.
    const clean = toJsonValue(data, this.#redact) as { [key: string]: JsonValue };
    const next = this.#queue.then(() => this.#write(type, clean));
    this.#queue = next.catch(() => {});
    return next;
  }

  async flush(): Promise<void> {
    await this.#queue;
    await this.#sink?.flush?.();
  }

  /** Waits for pending appends, flushes and closes the sink; later appends reject. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await this.#sink?.close?.();
  }

  async #write(type: string, data: { [key: string]: JsonValue }): Promise<AuditRecord> {
    const body = { seq: this.#seq + 1, time: Math.round(wallTime(this.#clock)), type, data, prev: this.#lastHash };
    const hash = await hashRecordBody(body, this.#key);
    const record: AuditRecord = { ...body, hash };
    this.#sink?.write(JSON.stringify(record));
    this.#seq = record.seq;
    this.#lastHash = hash;
    return record;
  }
}

export function hashRecordBody(body: Omit<AuditRecord, "hash">, key?: Uint8Array): Promise<string> {
  const text = canonicalJson({
    seq: body.seq,
    time: body.time,
    type: body.type,
    data: body.data,
    prev: body.prev,
  } as JsonValue);
  return key === undefined ? sha256Hex(text) : hmacSha256Hex(key, text);
}

export type AuditVerification =
  | {
      ok: true;
      count: number;
      head: { seq: number; hash: string };
      /**
       * True only when `expectHead` was given and matched: without an anchor kept elsewhere, records cut from the
       * end (or a log emptied) cannot be told from a log that simply ended there.
       */
      complete: boolean;
    }
  | {
      ok: false;
      /** 1-based line number (in the input) of the first record that breaks the chain. */
      brokenAt: number;
      /** The seq the verifier expected there. */
      seq: number;
      reason: string;
    };

export interface VerifyAuditOptions {
  /** The chain continues an earlier one: expect this record as the predecessor of the first line. */
  continueFrom?: { seq: number; hash: string };
  /** Detect truncation: the last record must be this one (e.g. a head saved elsewhere). */
  expectHead?: { seq: number; hash: string };
  /** The key of a keyed (HMAC) log; a log verified without it (or with another) fails at its first record. */
  key?: Uint8Array;
}

/**
 * Checks a whole audit log (its lines, or the file's text). Detects modified records (hash),
 * deleted, inserted and reordered records (seq and prev), and malformed lines. Records removed
 * from the end are only detected with `expectHead`. Blank lines are ignored.
 */
export async function verifyAuditLog(
  input: string[] | string,
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  const lines = typeof input === "string" ? input.split("\n") : input;
  let expectedSeq = (options.continueFrom?.seq ?? 0) + 1;
  let prevHash = options.continueFrom?.hash ?? GENESIS_HASH;
  let count = 0;
  const broken = (lineIndex: number, reason: string): AuditVerification => ({
    ok: false,
    brokenAt: lineIndex + 1,
    seq: expectedSeq,
    reason,
  });

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return broken(i, `line ${i + 1} is not valid JSON`);
    }
    const shapeProblem = recordShapeProblem(parsed);
    if (shapeProblem) return broken(i, `line ${i + 1}: ${shapeProblem}`);
    const record = parsed as AuditRecord;
    if (record.seq !== expectedSeq) {
      const what = record.seq > expectedSeq ? "missing record(s) before it (deleted)" : "out of order or inserted";
      return broken(i, `line ${i + 1}: seq ${record.seq} where ${expectedSeq} was expected: ${what}`);
    }
    if (record.prev !== prevHash) {
      return broken(
        i,
        `line ${i + 1} (seq ${record.seq}): prev does not match the previous record's hash (a record before it was changed, removed or inserted)`,
      );
    }
    const hash = await hashRecordBody(record, options.key);
    if (hash !== record.hash) {
      const why =
        options.key === undefined
          ? "record modified, or a keyed log verified without its key"
          : "record modified or re-chained, or the wrong key";
      return broken(i, `line ${i + 1} (seq ${record.seq}): hash does not match the record's content (${why})`);
    }
    prevHash = record.hash;
    expectedSeq++;
    count++;
  }
  const head = { seq: expectedSeq - 1, hash: prevHash };
  const expected = options.expectHead;
  if (expected && (expected.seq !== head.seq || expected.hash !== head.hash)) {
    return {
      ok: false,
      brokenAt: lines.length + 1,
      seq: expectedSeq,
      reason: `log ends at seq ${head.seq} but the expected head is seq ${expected.seq} (records missing at the end, or a different log)`,
    };
  }
  return { ok: true, count, head, complete: expected !== undefined };
}

/**
 * An AuditLog appending to `path` through the platform, continuing the chain already in the file.
 * Throws AuditError "broken-chain" when the existing file does not verify.
 */
export async function openFileAuditLog(
  platform: Pick<Platform, "fs">,
  path: string,
  options: Omit<AuditLogOptions, "sink" | "continueFrom"> & { sink?: LogSinkLike } = {},
): Promise<AuditLog> {
  const text = (await platform.fs.exists(path)) ? await platform.fs.readTextFile(path) : "";
  const result = await verifyAuditLog(text, options.key === undefined ? {} : { key: options.key });
  if (options.sink === undefined) await ensureWritable(platform, path);
  if (!result.ok)
    throw new AuditError(
      `Audit log ${path} does not verify at line ${result.brokenAt}: ${result.reason}`,
      "broken-chain",
    );
  return new AuditLog({
    ...options,
    sink: options.sink ?? fileSink(platform, path, { flushIntervalMs: 0 }),
    continueFrom: result.head,
  });
}

/**
 * Creates the log (and its directory) now, so one that cannot be written fails the open, and with it the start,
 * instead of losing every record to an error printed later: an audit trail is kept or it is refused.
 */
async function ensureWritable(platform: Pick<Platform, "fs">, path: string): Promise<void> {
  const append = () => platform.fs.writeFile(path, "", { append: true });
  try {
    await append().catch(async (error: unknown) => {
      const slash = path.lastIndexOf("/");
      if ((error as { code?: unknown }).code !== "NotFound" || slash <= 0) throw error;
      await platform.fs.mkdir(path.slice(0, slash), { recursive: true });
      await append();
    });
  } catch (error) {
    throw new AuditError(
      `Audit log ${path} cannot be written: ${error instanceof Error ? error.message : String(error)}`,
      "unwritable",
    );
  }
}

function isHash(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}

function recordShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const r = value as Record<string, unknown>;
  if (!Number.isInteger(r.seq)) return "seq is not an integer";
  if (typeof r.time !== "number") return "time is not a number";
  if (typeof r.type !== "string") return "type is not a string";
  if (r.data === null || typeof r.data !== "object" || Array.isArray(r.data)) return "data is not an object";
  if (!isHash(r.prev)) return "prev is not a 64-hex-digit hash";
  if (!isHash(r.hash)) return "hash is not a 64-hex-digit hash";
  const extra = Object.keys(r).filter((k) => !["seq", "time", "type", "data", "prev", "hash"].includes(k));
  if (extra.length > 0) return `unexpected field(s) ${extra.join(", ")}`;
  return undefined;
}
