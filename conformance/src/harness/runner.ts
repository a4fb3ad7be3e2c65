import type { Platform } from "@aral/platform";
import { describeError, isPlatformErrorLike } from "./assert.ts";
import { caseKind } from "./case.ts";
import type { CaseResult, ConformanceCase } from "./case.ts";
import { SkipSignal, createCaseScope } from "./context.ts";
import { sectionLine, summaryLine, tapHeader, tapLine } from "./tap.ts";

export const DEFAULT_CASE_TIMEOUT_MS = 15_000;
const CLEANUP_TIMEOUT_MS = 5_000;

export interface RunCasesOptions {
  platform: Platform;
  adapter: string;
  /** Only cases whose name or capability contains this substring. */
  filter?: string;
  /** Capabilities to skip, each with the reason printed. */
  skip?: ReadonlyMap<string, string>;
  /** Receives every output line (TAP, then the summary). */
  output?: (line: string) => void;
  /** Stop at the first failed case ("Bail out!"): enough to prove a mutant is noticed, without waiting out every timeout. */
  bail?: boolean;
}

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  results: CaseResult[];
}

/** Runs the cases one after another, each with its own timeout and cleanups, and reports TAP. */
export async function runCases(cases: readonly ConformanceCase[], options: RunCasesOptions): Promise<RunSummary> {
  const output = options.output ?? ((line: string) => console.log(line));
  const filtered = options.filter
    ? cases.filter((c) => c.name.includes(options.filter!) || c.capability.includes(options.filter!))
    : [...cases];
  // contract cases first (what an adapter owes), then integration cases (what core does on top)
  const selected = [
    ...filtered.filter((c) => caseKind(c) === "contract"),
    ...filtered.filter((c) => caseKind(c) === "integration"),
  ];
  for (const line of tapHeader(selected.length)) output(line);
  const results: CaseResult[] = [];
  let section: string | undefined;
  for (const [i, testCase] of selected.entries()) {
    if (caseKind(testCase) !== section) {
      section = caseKind(testCase);
      output(sectionLine(caseKind(testCase)));
    }
    const result = await runOne(testCase, options);
    results.push(result);
    for (const line of tapLine(i + 1, result)) output(line);
    if (options.bail && result.outcome === "failed") {
      output(`Bail out! stopped at the first failure (${selected.length - i - 1} cases not run)`);
      break;
    }
  }
  const count = (outcome: CaseResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  const summary = { passed: count("passed"), failed: count("failed"), skipped: count("skipped"), results };
  output(summaryLine(summary.passed, summary.failed, summary.skipped));
  return summary;
}

async function runOne(testCase: ConformanceCase, options: RunCasesOptions): Promise<CaseResult> {
  const base = { name: testCase.name, capability: testCase.capability, kind: caseKind(testCase) };
  const skipReason = skippedCapability(testCase.capability, options.skip);
  if (skipReason !== undefined) return { ...base, outcome: "skipped", message: skipReason, durationMs: 0 };

  const started = performance.now();
  const scope = createCaseScope(options.platform, options.adapter);
  const timeoutMs = testCase.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  let outcome: CaseResult["outcome"] = "passed";
  let message: string | undefined;
  try {
    await withTimeout(
      Promise.resolve().then(() => testCase.run(scope.context)),
      timeoutMs,
      `timed out after ${timeoutMs} ms (the adapter hung or never settled)`,
    );
  } catch (error) {
    if (error instanceof SkipSignal) {
      outcome = "skipped";
      message = error.message;
    } else if (isPlatformErrorLike(error) && error.code === "Unsupported") {
      outcome = "skipped";
      message = `adapter reports Unsupported: ${error.message}`;
    } else {
      outcome = "failed";
      message =
        error instanceof Error && error.name === "AssertionError" ? error.message : `threw ${describeError(error)}`;
    }
  }
  const cleanupFailures = await withTimeout(scope.cleanup(), CLEANUP_TIMEOUT_MS, "cleanup hung").catch(
    (error: unknown) => [String((error as Error).message ?? error)],
  );
  if (cleanupFailures.length > 0 && outcome !== "failed") {
    outcome = "failed";
    message = `cleanup failed: ${cleanupFailures.join("; ")}`;
  }
  return message === undefined
    ? { ...base, outcome, durationMs: performance.now() - started }
    : { ...base, outcome, message, durationMs: performance.now() - started };
}

function skippedCapability(capability: string, skip: ReadonlyMap<string, string> | undefined): string | undefined {
  if (!skip) return undefined;
  for (const [skipped, reason] of skip) {
    if (capability === skipped || capability.startsWith(`${skipped}.`)) return reason;
  }
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
