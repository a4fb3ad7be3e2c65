export {
  CONTROL_COMMANDS,
  ControlRequestError,
  parseControlRequest,
  MAX_LOG_LINES,
  MAX_REQUEST_BYTES,
} from "./protocol.ts";
export type {
  ControlCommand,
  ControlRequest,
  ControlResponse,
  ControlErrorBody,
  ControlErrorCode,
  ControlFollowMessage,
} from "./protocol.ts";
export { ControlServer, ControlSocketPathError, FleetAlreadyRunningError } from "./control-server.ts";
export type { ControlServerOptions } from "./control-server.ts";
export { controlCall, ControlUnreachableError, ControlResponseError } from "./control-client.ts";
export type { ControlCallOptions } from "./control-client.ts";
export { controlDir, ensureControlDir, listFleetSockets, socketPath } from "./socket-path.ts";
export {
  isConnectionRefused,
  PROBE_TIMEOUT_MS,
  probeControlSocket,
  removeStaleSocket,
  scanFleetSockets,
} from "./fleet-sockets.ts";
export type { ControlSocketState, FleetSocketScan } from "./fleet-sockets.ts";
