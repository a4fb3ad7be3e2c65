export { runConformance, loadAdapter, UnknownCapabilityError } from "./run-conformance.ts";
export { CAPABILITIES, CONTRACT_CAPABILITIES, INTEGRATION_CAPABILITIES, isCapability } from "./harness/capabilities.ts";
export type { Capability, CaseKind, ContractCapability, IntegrationCapability } from "./harness/capabilities.ts";
export type { RunConformanceOptions, ConformanceSummary } from "./run-conformance.ts";
export { caseKind, defineCases } from "./harness/case.ts";
export type { CaseOutcome, CaseResult, ConformanceCase, ConformanceContext } from "./harness/case.ts";
export { runCases, DEFAULT_CASE_TIMEOUT_MS } from "./harness/runner.ts";
export type { RunCasesOptions, RunSummary } from "./harness/runner.ts";
export {
  AssertionError,
  assertPlatformError,
  atLeast,
  atMost,
  bytesEqual,
  checkError,
  deepEqual,
  equal,
  fail,
  isPlatformErrorLike,
  match,
  ok,
  rejects,
} from "./harness/assert.ts";
export type { RejectsExpectation } from "./harness/assert.ts";
export {
  chunksOf,
  collectText,
  lines,
  patternedBytes,
  sleep,
  statusWithin,
  within,
  writeAllAndClose,
} from "./harness/helpers.ts";
export type { TextCollector } from "./harness/helpers.ts";
export { summaryLine } from "./harness/tap.ts";
export { allCases } from "./cases/index.ts";
export {
  envCases,
  fetchServeCases,
  fsCases,
  fsStreamCases,
  processCases,
  runtimeCases,
  signalCases,
  spawnCases,
  usageCases,
} from "./cases/index.ts";
