import type { CaseResult } from "./case.ts";
import type { CaseKind } from "./capabilities.ts";

const SECTIONS: Record<CaseKind, string> = {
  contract: "# contract: what the adapter owes (a failure here is the adapter's)",
  integration: "# integration: what core and the supervisor do on top of the platform",
};

/** A TAP comment opening the contract or the integration cases. */
export function sectionLine(kind: CaseKind): string {
  return SECTIONS[kind];
}

/** TAP 13: a header, the plan, one line per case (a YAML block under failures), and the summary line. */
export function tapHeader(count: number): string[] {
  return ["TAP version 13", `1..${count}`];
}

/** Each case's name carries its kind: "ok 3 - [contract] fs: …". */
export function tapLine(index: number, result: CaseResult): string[] {
  const name = `[${result.kind}] ${result.name}`;
  if (result.outcome === "passed") return [`ok ${index} - ${name}`];
  if (result.outcome === "skipped")
    return [`ok ${index} - ${name} # SKIP ${result.capability}: ${oneLine(result.message ?? "skipped")}`];
  return [
    `not ok ${index} - ${name}`,
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
