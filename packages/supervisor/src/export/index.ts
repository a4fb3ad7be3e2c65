export {
  exportKubernetes,
  KUBERNETES_KINDS,
  DEFAULT_HEALTH_PORT,
  DEFAULT_WORKDIR,
  auditKeySecretName,
} from "./kubernetes.ts";
export type { KubernetesKind, KubernetesExportOptions, KubernetesExport } from "./kubernetes.ts";
export { exportSystemd, RESTART_STEPS_SINCE } from "./systemd-unit.ts";
export type { SystemdExportOptions, SystemdExport, SystemdUnit } from "./systemd-unit.ts";
export { loadManifestAgent } from "./manifest-agent.ts";
export type { ManifestAgentOptions } from "./manifest-agent.ts";
export { checkAgentName, nameFromPath } from "./agent.ts";
export type { ExportAgent } from "./agent.ts";
export { ExportError } from "./errors.ts";
export type { ExportErrorOrigin } from "./errors.ts";
export { formatNote } from "./notes.ts";
export type { ExportNote } from "./notes.ts";
export { envSecretName, EXPORTABLE_ENV_NAME } from "./container-env.ts";
export { RUNTIME_IMAGES } from "./runtime-images.ts";
export { HEALTH_PORT_NAME } from "./probes.ts";
export { yamlDocuments } from "./yaml-documents.ts";
export {
  kubernetesCpu,
  kubernetesBytes,
  systemdBytes,
  systemdCpuQuota,
  systemdCpuWeight,
  cpuMillicores,
} from "./quantities.ts";
export { terminationGracePeriodMs } from "./stop-settings.ts";
export { fleetExportAgents } from "./fleet-agents.ts";
export type { FleetLike } from "./fleet-agents.ts";
