import { describeValue } from "../config/describe-value.ts";

/** Key names whose values never reach a log line (matched anywhere in the key, case-insensitive). */
export const SECRET_KEY_PATTERN = /token|password|passwd|secret|authorization|cookie|api[-_]?key|credential/i;

export const REDACTED = "[REDACTED]";

/**
 * One level of the redacted paths: each key (lower case; `*` for any key or array index) leads to the next level,
 * or to `true` when the value there is redacted.
 */
export type RedactPathLevel = ReadonlyMap<string, RedactPathLevel | true>;

export interface KeyRedactor {
  (key: string): boolean;
  /** The pino-style paths (`user.ssn`, `req.headers["x-token"]`, `items[*].card`) from the logged object's root. */
  readonly paths?: RedactPathLevel | undefined;
}

/**
 * Secret-looking keys plus `extra` (case-insensitive): a name with no dot or bracket is redacted at any depth; a path
 * in pino's form (`user.ssn`, `*.card`, `items[*].card`, `req.headers["x-token"]`) only there, from the root of the
 * logged object. One entry may be given as a string. Anything else (a number, an array holding a non-string, a
 * malformed path) is a TypeError naming the `redact` option.
 */
export function createKeyRedactor(extra: string | readonly string[] = []): KeyRedactor {
  const entries = typeof extra === "string" ? [extra] : extra;
  if (!Array.isArray(entries) || !entries.every((key) => typeof key === "string")) {
    throw new TypeError(
      `Invalid log option redact: expected a key name or an array of key names, got ${describeValue(extra)}`,
    );
  }
  const names = new Set<string>();
  const root = new Map<string, RedactPathLevel | true>();
  for (const entry of entries) {
    const segments = pathSegments(entry);
    if (segments.length === 1) names.add(segments[0]!);
    else addPath(root, segments);
  }
  const redact = (key: string) => SECRET_KEY_PATTERN.test(key) || (names.size > 0 && names.has(key.toLowerCase()));
  return root.size > 0 ? Object.assign(redact, { paths: root }) : redact;
}

function addPath(root: Map<string, RedactPathLevel | true>, segments: readonly string[]): void {
  let level = root;
  for (const [index, segment] of segments.entries()) {
    if (index === segments.length - 1) {
      level.set(segment, true);
      return;
    }
    const next = level.get(segment);
    if (next === true) return; // a shorter path already redacts the whole value
    const created = next ?? new Map<string, RedactPathLevel | true>();
    level.set(segment, created);
    level = created as Map<string, RedactPathLevel | true>;
  }
}

/** `a.b`, `a[*].b`, `a["b.c"]`, `a[0]` as lower-case segments; a malformed path is a TypeError naming it. */
function pathSegments(path: string): string[] {
  const bad = (why: string) =>
    new TypeError(`Invalid log option redact: ${JSON.stringify(path)} is not a key name or a path (${why})`);
  if (path === "") throw bad("empty");
  const segments: string[] = [];
  let position = 0;
  let expectSegment = true;
  while (position < path.length) {
    const char = path[position]!;
    if (char === "[") {
      const close = path.indexOf("]", position);
      if (close < 0) throw bad("a [ without its ]");
      const inside = path.slice(position + 1, close).trim();
      const quoted = /^(["'])(.*)\1$/.exec(inside);
      if (!quoted && !/^(\*|\d+)$/.test(inside)) throw bad(`[${inside}]: write ["name"], [*] or an index`);
      segments.push((quoted ? quoted[2]! : inside).toLowerCase());
      position = close + 1;
      expectSegment = false;
    } else if (char === ".") {
      if (expectSegment) throw bad("an empty segment");
      position++;
      expectSegment = true;
    } else {
      if (!expectSegment) throw bad(`${JSON.stringify(char)} after ]`);
      let end = position;
      while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
      segments.push(path.slice(position, end).toLowerCase());
      position = end;
      expectSegment = false;
    }
  }
  if (expectSegment) throw bad("it ends with a dot");
  return segments;
}
