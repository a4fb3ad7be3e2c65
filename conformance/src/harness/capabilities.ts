/**
 * Every capability a case can need, the names `--skip` takes (`--list` prints them). Skipping one skips
 * its sub-capabilities too (`fs` skips `fs.streams`). Contract capabilities are what an adapter owes;
 * integration capabilities are what core (and the supervisor) do on top of it.
 */
export const CONTRACT_CAPABILITIES = [
  "runtime",
  "fs",
  "fs.streams",
  "fs.symlink",
  "fs.mode",
  "fs.diskUsage",
  "process",
  "process.spawn",
  "process.onUncaught",
  "env",
  "signals",
  "net",
  "net.unix",
  "usage",
  "workers",
  "misuse",
] as const;

export const INTEGRATION_CAPABILITIES = [
  "runtime.lifecycle",
  "runtime.config",
  "runtime.health",
  "runtime.resources",
  "runtime.signals",
  "runtime.supervisor-watch",
  "runtime.resilience",
  "resources.storage",
  "resources.network",
  "resources.monitor",
  "resilience",
  "workers.pool",
  "supervisor",
] as const;

export type ContractCapability = (typeof CONTRACT_CAPABILITIES)[number];
export type IntegrationCapability = (typeof INTEGRATION_CAPABILITIES)[number];
export type Capability = ContractCapability | IntegrationCapability;

export const CAPABILITIES: readonly Capability[] = [...CONTRACT_CAPABILITIES, ...INTEGRATION_CAPABILITIES];

export function isCapability(name: string): name is Capability {
  return (CAPABILITIES as readonly string[]).includes(name);
}

/** "contract": what an adapter owes; "integration": what core does on top (a failure may still be the adapter's). */
export type CaseKind = "contract" | "integration";

export function kindOf(capability: Capability): CaseKind {
  return (CONTRACT_CAPABILITIES as readonly string[]).includes(capability) ? "contract" : "integration";
}
