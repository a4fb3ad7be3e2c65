import type { ConformanceCase } from "../harness/case.ts";
import { envCases } from "./env.ts";
import { fetchServeCases } from "./fetch-serve.ts";
import { fsStreamCases } from "./fs-streams.ts";
import { fsCases } from "./fs.ts";
import { processCases } from "./process.ts";
import { runtimeCases } from "./runtime.ts";
import { signalCases } from "./signals.ts";
import { spawnCases } from "./spawn.ts";
import { usageCases } from "./usage.ts";
import { misuseCases } from "./misuse.ts";
import { runtimeLifecycleCases } from "./runtime-lifecycle.ts";
import { runtimeConfigCases } from "./runtime-config.ts";
import { runtimeHealthCases } from "./runtime-health.ts";
import { runtimeHealthHttpCases } from "./runtime-health-http.ts";
import { runtimeResourceCases } from "./runtime-resources.ts";
import { runtimeSignalCases } from "./runtime-signals.ts";
import { runtimeExitOnSignalCases } from "./runtime-exit-on-signal.ts";
import { runtimeResilienceCases } from "./runtime-resilience.ts";
import { resourcesStorageCases } from "./resources-storage.ts";
import { resourcesNetworkCases } from "./resources-network.ts";
import { resourcesMonitorCases } from "./resources-monitor.ts";
import { resilienceCases } from "./resilience.ts";
import { workerCases } from "./workers.ts";
import { workerRecoveryCases } from "./workers-recovery.ts";
import { supervisorCases } from "./supervisor.ts";
import { runtimeSupervisorWatchCases } from "./runtime-supervisor-watch.ts";
import { unixSocketCases } from "./unix-sockets.ts";
import { runtimeArgumentCases } from "./runtime-arguments.ts";
import { runtimeIssue9Cases } from "./runtime-issue9.ts";
import { runtimeTaskSignalCases } from "./runtime-task-signal.ts";
import { contractGapNetCases } from "./contract-gaps-net.ts";
import { contractGapFsCases } from "./contract-gaps-fs.ts";
import { contractGapProcessCases } from "./contract-gaps-process.ts";

/** Every case of the suite, in the order they run. Later areas append their lists here. */
export const allCases: readonly ConformanceCase[] = [
  ...runtimeCases,
  ...fsCases,
  ...fsStreamCases,
  ...contractGapFsCases,
  ...processCases,
  ...spawnCases,
  ...envCases,
  ...signalCases,
  ...contractGapProcessCases,
  ...fetchServeCases,
  ...unixSocketCases,
  ...contractGapNetCases,
  ...usageCases,
  ...misuseCases,
  // core's behaviour on the platform under test
  ...runtimeLifecycleCases,
  ...runtimeConfigCases,
  ...runtimeHealthCases,
  ...runtimeHealthHttpCases,
  ...runtimeResourceCases,
  ...runtimeSignalCases,
  ...runtimeExitOnSignalCases,
  ...runtimeSupervisorWatchCases,
  ...runtimeResilienceCases,
  ...runtimeArgumentCases,
  ...runtimeIssue9Cases,
  ...runtimeTaskSignalCases,
  ...resourcesStorageCases,
  ...resourcesNetworkCases,
  ...resourcesMonitorCases,
  ...resilienceCases,
  ...workerCases,
  ...workerRecoveryCases,
  ...supervisorCases,
];

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
};
