export { FLEET_NAME, loadFleetFile, resolvePath, validateFleet } from "./fleet-file.ts";
export type { FleetSpec, FleetAgentSpec, FleetLogSpec, ReadinessSpec } from "./fleet-file.ts";
export { Fleet, UnknownAgentError } from "./fleet.ts";
export type { FleetOptions, AgentStartReport } from "./fleet.ts";
export { AgentInstance } from "./agent-instance.ts";
export type { InstanceStatus, EnforcementSummary, InstanceOutputLine } from "./agent-instance.ts";
export { readinessProbe } from "./readiness.ts";
export type { ReadinessProbe } from "./readiness.ts";
