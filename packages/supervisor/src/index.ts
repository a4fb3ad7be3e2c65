export { Supervisor } from "./supervisor.ts";
export type { SupervisorOptions, RestartPolicy, SupervisorLogger, OutputLine } from "./options.ts";
export type {
  SupervisorState,
  SupervisorEvents,
  SupervisorEventName,
  ExitReason,
  StopResult,
  SupervisorOutcome,
} from "./events.ts";
export { SupervisorConfigError, SupervisorStateError, CrashLoopError } from "./errors.ts";
export { childEnvironment } from "./child-environment.ts";
export type { ChildEnvironmentOptions } from "./child-environment.ts";
export { runtimeCommand, nodeHeapFlag, SUPERVISED_RUNTIMES } from "./runtime-command.ts";
export type { RuntimeCommandOptions, SupervisedRuntime } from "./runtime-command.ts";
export { childUsageSupported, readChildUsage, parseVmRss } from "./child-usage.ts";
export type { ChildUsage } from "./child-usage.ts";
export { describeEnforcement } from "./enforcement.ts";
export type { EnforcementReport, LimitEnforcement } from "./enforcement.ts";
export { previewEnforcement, limitsFromSettings } from "./preview-enforcement.ts";
export { detectCgroups, parseCgroupMounts, parseOwnCgroups } from "./cgroup/detect.ts";
export type { CgroupHost, CgroupDetection } from "./cgroup/detect.ts";
export { reapLeftoverCgroups } from "./cgroup/reap.ts";
export {
  processStartTime,
  reapLeftoverProcessGroups,
  recordDir,
  writeProcessGroupRecord,
} from "./process-group-records.ts";
export type { ProcessGroupRecord, ReapedGroup } from "./process-group-records.ts";
export type { CgroupUsage, KernelEnforced } from "./cgroup/instance-cgroup.ts";
export {
  supervisorSettingsFromManifest,
  memoryLimitFromManifest,
  DEFAULT_TERMINATION_MARGIN_MS,
} from "./manifest-settings.ts";
export type { SupervisorManifestSettings } from "./manifest-settings.ts";
export * from "./export/index.ts";
export * from "./fleet/index.ts";
export * from "./control/index.ts";
export * from "./logs/index.ts";
