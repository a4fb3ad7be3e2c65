export type RuntimeStatus = "created" | "starting" | "running" | "stopping" | "stopped" | "failed";

/** The transitions AralRuntime allows; anything else is a bug in the runtime, not in the caller. */
const NEXT: Record<RuntimeStatus, readonly RuntimeStatus[]> = {
  created: ["starting"],
  starting: ["running", "failed"],
  running: ["stopping"],
  stopping: ["stopped"],
  stopped: ["starting"],
  failed: ["starting"],
};

export function canTransition(from: RuntimeStatus, to: RuntimeStatus): boolean {
  return NEXT[from].includes(to);
}
