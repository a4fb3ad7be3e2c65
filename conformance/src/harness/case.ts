import type { ChildProcess, Platform, SpawnOptions } from "@aral/platform";
import { isCapability, kindOf } from "./capabilities.ts";
import type { Capability, CaseKind } from "./capabilities.ts";

/** One contract rule, checked against the platform under test. */
export interface ConformanceCase {
  /** Unique, reads as a sentence: "fs: readFile of a missing file rejects NotFound". */
  name: string;
  /** What the case needs ("fs", "process.spawn", "signals", …); `--skip <capability>` skips it. */
  capability: Capability;
  /** Default 15 000 ms: a hanging adapter fails the case instead of hanging the suite. */
  timeoutMs?: number;
  run(ctx: ConformanceContext): void | Promise<void>;
}

export interface ConformanceContext {
  platform: Platform;
  /** Module specifier or absolute path of the adapter under test (fixture children load it). */
  adapter: string;
  /** A fresh directory, removed (recursively) after the case. */
  tempDir(): Promise<string>;
  /** Registers a cleanup; cleanups run after the case, last first, even when it failed or timed out. */
  defer(cleanup: () => unknown): void;
  /**
   * Starts a child of the same runtime running conformance/src/fixtures/<name>.ts (or the built
   * .js), which loads the adapter under test. Killed after the case if still running.
   */
  spawnFixture(name: string, args?: string[], opts?: SpawnOptions): ChildProcess;
  /** Ends the case as skipped, with a reason. */
  skip(reason: string): never;
}

export type CaseOutcome = "passed" | "failed" | "skipped";

export interface CaseResult {
  name: string;
  capability: Capability;
  /** Whether the case pins the contract (the adapter's duty) or core's behaviour on top of it. */
  kind: CaseKind;
  outcome: CaseOutcome;
  /** Why it failed or was skipped. */
  message?: string;
  durationMs: number;
}

/** The case's kind, from its capability. */
export function caseKind(c: Pick<ConformanceCase, "capability">): CaseKind {
  return kindOf(c.capability);
}

export function defineCases(cases: ConformanceCase[]): ConformanceCase[] {
  for (const c of cases) {
    if (!c.name || !c.capability || typeof c.run !== "function") {
      throw new TypeError(
        `defineCases: every case needs a name, a capability and run(); got ${JSON.stringify(c.name ?? null)}`,
      );
    }
    if (!isCapability(c.capability))
      throw new TypeError(
        `defineCases: ${JSON.stringify(c.name)} names an unknown capability ${JSON.stringify(c.capability)}`,
      );
  }
  return cases;
}
