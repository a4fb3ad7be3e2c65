export type * from "./contract.ts";
export { PLATFORM_ERROR_CODES, PlatformError, isPlatformError, toPlatformError, mapErrors } from "./errors.ts";
export type { PlatformErrorCode, PlatformErrorDetails } from "./errors.ts";
export { detectRuntime } from "./detect.ts";
export { failedChild } from "./failed-child.ts";
export { readAll, readAllText, concatBytes, toBytes } from "./streams.ts";
export { run } from "./run.ts";
export type { RunOptions, RunResult } from "./run.ts";
