export { AralRuntime } from "./runtime.ts";
export type { RuntimeInput, RuntimeDeps, StopReport } from "./runtime.ts";
export type { RuntimeStatus } from "./status.ts";
export { LifecycleError } from "./errors.ts";
export type { LifecycleErrorCode } from "./errors.ts";
export type { Closable } from "./closers.ts";
export { exitCodeFor } from "./exit-code.ts";
