import type { ConfigError } from "@aral/core";
import type { Output } from "./output.ts";

/** A manifest's problems as `aral check` prints them: a count, then one line per issue with path, value and what was expected. */
export function printConfigIssues(output: Output, path: string, error: ConfigError): void {
  output.err(`${path}: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}`);
  for (const issue of error.issues) {
    output.err(`  ${issue.path || "(root)"}: ${issue.message} (got ${JSON.stringify(issue.value) ?? "undefined"}, expected ${issue.expected})`);
  }
}
