import type { ConfigError } from "@aral/core";
import { issueOrigin } from "@aral/core/config";
import type { Output } from "./output.ts";

/** At most this many issues are printed; the rest are counted. */
export const MAX_ISSUES_SHOWN = 50;
/** Paths, values and texts longer than this are cut (a 1 MB key must not become 2 MB of output). */
const MAX_TEXT = 200;

/** `text` cut to MAX_TEXT characters, saying how long it was. */
export function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}\u2026(${text.length} characters)`;
}

/** JSON of `value` for a message: cycles (a self-referencing YAML alias) shown as "[Circular]", bounded length. */
export function showValue(value: unknown): string {
  const seen = new WeakSet<object>();
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (v !== null && typeof v === "object") {
        if (seen.has(v)) return "[Circular]";
        seen.add(v);
      }
      return typeof v === "bigint" ? `${v}n` : v;
    });
  } catch (error) {
    text = `(unprintable: ${error instanceof Error ? error.message : String(error)})`;
  }
  return clip(text ?? "undefined");
}

/** `value` itself when it is small, acyclic JSON; otherwise its clipped text (showValue). */
function printable(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    if (text === undefined || text.length <= MAX_TEXT) return value;
  } catch {
    // a cycle or a BigInt: fall through to the text form
  }
  return showValue(value);
}

/** The issues as `--json` prints them: bounded in number and size, values made printable. */
export function issuesForJson(error: ConfigError): { shown: unknown[]; omitted: number } {
  const shown = error.issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => ({
    path: clip(issue.path),
    message: clip(issue.message),
    value: printable(issue.value),
    expected: clip(String(issue.expected)),
    ...(issue.line === undefined ? {} : { line: issue.line, column: issue.column ?? 1 }),
    ...(issue.variable === undefined ? {} : { variable: issue.variable }),
  }));
  return { shown, omitted: Math.max(0, error.issues.length - MAX_ISSUES_SHOWN) };
}

/** A manifest's problems as `aral check` prints them: a count, then one line per issue with path, value and what was expected. */
export function printConfigIssues(output: Output, path: string, error: ConfigError): void {
  output.err(`${path}: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}`);
  for (const issue of error.issues.slice(0, MAX_ISSUES_SHOWN)) {
    output.err(
      `  ${clip(issue.path) || "(root)"}${issueOrigin(issue)}: ${clip(issue.message)} (got ${showValue(issue.value)}, expected ${clip(String(issue.expected))})`,
    );
  }
  if (error.issues.length > MAX_ISSUES_SHOWN) output.err(`  \u2026 and ${error.issues.length - MAX_ISSUES_SHOWN} more`);
}
