import type { AdapterModule, Platform } from "@aral/platform";
import type { ConformanceCase } from "./harness/case.ts";
import { runCases } from "./harness/runner.ts";
import type { RunSummary } from "./harness/runner.ts";
import { allCases } from "./cases/index.ts";
import { CAPABILITIES, isCapability } from "./harness/capabilities.ts";

/** A --skip (or `skip` option) that names no capability of the suite: a typo would otherwise skip nothing, silently. */
export class UnknownCapabilityError extends TypeError {
  override readonly name = "UnknownCapabilityError";
  readonly capability: string;
  constructor(capability: string) {
    super(`unknown capability ${JSON.stringify(capability)}; the capabilities are: ${CAPABILITIES.join(", ")}`);
    this.capability = capability;
  }
}

export interface RunConformanceOptions {
  /** Module specifier or absolute path of the adapter (fixture children import it). */
  adapter: string;
  /** The platform under test; default: the adapter's createPlatform(). */
  platform?: Platform;
  /** Only cases whose name or capability contains this substring. */
  filter?: string;
  /** Capability → reason; those cases are reported as skipped with the reason. An unknown name throws UnknownCapabilityError. */
  skip?: ReadonlyMap<string, string> | Record<string, string>;
  /** Receives each output line; default console.log. Pass `() => {}` to stay quiet. */
  output?: (line: string) => void;
  /** Stop at the first failed case; the cases after it are not run. */
  bail?: boolean;
  /** Default: every case of the suite. */
  cases?: readonly ConformanceCase[];
}

export type ConformanceSummary = RunSummary;

/** Runs the suite against one adapter and reports TAP through `output`. */
export async function runConformance(options: RunConformanceOptions): Promise<ConformanceSummary> {
  if (typeof options.adapter !== "string" || options.adapter.length === 0) {
    throw new TypeError(
      "runConformance: `adapter` must be the module specifier or absolute path of the adapter under test",
    );
  }
  const skip = options.skip instanceof Map ? options.skip : new Map(Object.entries(options.skip ?? {}));
  for (const name of skip.keys()) {
    if (!isCapability(name)) throw new UnknownCapabilityError(name);
  }
  const platform = options.platform ?? (await (await loadAdapter(options.adapter)).createPlatform());
  return runCases(options.cases ?? allCases, {
    platform,
    adapter: options.adapter,
    skip,
    ...(options.filter === undefined ? {} : { filter: options.filter }),
    ...(options.output === undefined ? {} : { output: options.output }),
    ...(options.bail ? { bail: true } : {}),
  });
}

/** Imports an adapter module and checks that it exports createPlatform(). */
export async function loadAdapter(specifier: string): Promise<AdapterModule> {
  const importable = specifier.startsWith("/") ? `file://${encodeURI(specifier)}` : specifier;
  const module = (await import(importable)) as Partial<AdapterModule>;
  if (typeof module.createPlatform !== "function") {
    throw new TypeError(`${specifier} does not export createPlatform(): it is not an ARAL Platform adapter`);
  }
  return module as AdapterModule;
}
