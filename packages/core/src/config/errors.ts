import { describeValue } from "./describe-value.ts";

/** One thing wrong with a manifest. */
export interface ConfigIssue {
  /**
   * Where: a dotted path such as "layers.runtime.errorHandling.maxRetries" (relative to what was
   * validated: a whole manifest, or the `layers.runtime` options given directly). "" is the root itself
   * (a manifest that is not an object, a file that does not parse).
   */
  path: string;
  /** The offending value as found (for an unknown key: that key's value; for a syntax error: the text near it). */
  value: unknown;
  /** What would have been accepted, in words: `an integer from 1 to 10`, `a memory quantity such as "512Mi"`. */
  expected: string;
  message: string;
  /** The ARAL_* environment variable the value came from, when it came from one. */
  variable?: string;
  /** 1-based position in the source text, for syntax errors. */
  line?: number;
  column?: number;
}

/**
 * - `invalid`: the manifest parsed but breaks the schema;
 * - `syntax`: the text is not valid JSON / JSONC / YAML;
 * - `unsupported-format`: a file extension or format name this loader does not read;
 * - `unreadable`: the file could not be read (the PlatformError is the `cause`).
 */
export type ConfigErrorCode = "invalid" | "syntax" | "unsupported-format" | "unreadable";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code: ConfigErrorCode;
  readonly issues: readonly ConfigIssue[];
  /** The file (or other origin) the configuration came from, when known. */
  readonly source: string | undefined;

  constructor(
    code: ConfigErrorCode,
    issues: readonly ConfigIssue[],
    options: { source?: string; cause?: unknown } = {},
  ) {
    super(
      formatConfigErrorMessage(code, issues, options.source),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.issues = issues;
    this.source = options.source;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

const HEADINGS: Record<ConfigErrorCode, string> = {
  invalid: "Invalid configuration",
  syntax: "Configuration syntax error",
  "unsupported-format": "Unsupported configuration format",
  unreadable: "Cannot read configuration",
};

function formatConfigErrorMessage(
  code: ConfigErrorCode,
  issues: readonly ConfigIssue[],
  source: string | undefined,
): string {
  const where = source === undefined ? "" : ` in ${source}`;
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  // Bounded: 100k unknown keys made a 10 MB message (every one is still in `issues`).
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `  - ${clip(formatIssue(issue))}`);
  if (issues.length > MAX_LISTED_ISSUES) lines.push(`  ... and ${issues.length - MAX_LISTED_ISSUES} more (see issues)`);
  return [`${HEADINGS[code]}${clip(where)} (${count}):`, ...lines].join("\n");
}

/** The most issues a ConfigError's message lists. */
const MAX_LISTED_ISSUES = 50;
/** The longest line of a ConfigError's message (a 1 MB key is named, not printed whole). */
const MAX_LINE = 500;

function clip(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}\u2026` : text;
}

/** `path: message (got <value>, expected <expected>)`, with the line/column or variable when there is one. */
export function formatIssue(issue: ConfigIssue): string {
  const path = issue.path === "" ? "(root)" : issue.path;
  return `${path}${issueOrigin(issue)}: ${issue.message} (got ${describeValue(issue.value)}, expected ${issue.expected})`;
}

/** Where an issue comes from, after its path: " at line 3, column 7" in the file, " [from ARAL_X]" from a variable. */
export function issueOrigin(issue: ConfigIssue): string {
  const at = issue.line === undefined ? "" : ` at line ${issue.line}, column ${issue.column ?? 1}`;
  return issue.variable === undefined ? at : `${at} [from ${issue.variable}]`;
}
