import type { CaseResult } from "./case.ts";

/** TAP 13: a header, the plan, one line per case (a YAML block under failures), and the summary line. */
export function tapHeader(count: number): string[] {
  return ["TAP version 13", `1..${count}`];
}

export function tapLine(index: number, result: CaseResult): string[] {
  if (result.outcome === "passed") return [`ok ${index} - ${result.name}`];
  if (result.outcome === "skipped") return [`ok ${index} - ${result.name} # SKIP ${result.capability}: ${oneLine(result.message ?? "skipped")}`];
  return [
    `not ok ${index} - ${result.name}`,
    "  ---",
    `  message: ${JSON.stringify(result.message ?? "failed")}`,
    `  capability: ${JSON.stringify(result.capability)}`,
    `  durationMs: ${Math.round(result.durationMs)}`,
    "  ...",
  ];
}

export function summaryLine(passed: number, failed: number, skipped: number): string {
  return skipped > 0 ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
