/**
 * The control channel's protocol: one JSON object per line (UTF-8, "\n"). The client sends one request per
 * connection; the server answers with one response line - and, for `logs` with `follow`, then one
 * `{ "line": ... }` per new log line (see ControlFollowMessage) until the client hangs up or the fleet ends.
 */
export const CONTROL_COMMANDS = ["ps", "logs", "restart", "reload", "stop", "down"] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export interface ControlRequest {
  command: ControlCommand;
  /** The agent, for logs/restart/reload/stop (optional for ps: all agents). */
  agent?: string;
  /** logs: keep the connection open and stream new lines. */
  follow?: boolean;
  /** logs: how many of the last lines to send first (default 100). */
  lines?: number;
}

export type ControlErrorCode = "malformed" | "unknown-command" | "unknown-agent" | "bad-request" | "failed";

export interface ControlErrorBody {
  code: ControlErrorCode;
  /** The command the request named, when it named one. */
  command?: string;
  message: string;
}

export type ControlResponse = { ok: true; result: unknown } | { ok: false; error: ControlErrorBody };

/**
 * What a follow (`logs` with `follow`) sends after its response: a new log line; how many lines were skipped
 * because the client fell behind; and, last, `{ "end": "fleet-stopped" }` when the fleet stops (aral down,
 * SIGINT/SIGTERM to aral up) right before the server closes the connection. A follow whose connection ends
 * without it lost its fleet (aral up was killed).
 */
export type ControlFollowMessage = { line: string } | { skipped: number } | { end: "fleet-stopped" };

/** A request line longer than this is refused. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Most lines `logs` sends first (`lines`). */
export const MAX_LOG_LINES = 1_000_000;

/** A control request that is wrong: `code` says how, `command` names the command when there was one. */
export class ControlRequestError extends Error {
  override readonly name = "ControlRequestError";
  readonly code: ControlErrorCode;
  readonly command: string | undefined;

  constructor(code: ControlErrorCode, message: string, command?: string) {
    super(message);
    this.code = code;
    this.command = command;
  }

  toBody(): ControlErrorBody {
    return { code: this.code, ...(this.command !== undefined ? { command: this.command } : {}), message: this.message };
  }
}

const NEEDS_AGENT = new Set<ControlCommand>(["logs", "restart", "reload", "stop"]);

/** Parses and checks one request line; every problem is a ControlRequestError naming the command. */
export function parseControlRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ControlRequestError(
      "malformed",
      `the request is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ControlRequestError("malformed", 'the request must be a JSON object such as {"command":"ps"}');
  const request = value as Record<string, unknown>;
  const command = request["command"];
  if (typeof command !== "string")
    throw new ControlRequestError("malformed", `the request needs "command" (one of ${CONTROL_COMMANDS.join(", ")})`);
  if (!(CONTROL_COMMANDS as readonly string[]).includes(command)) {
    throw new ControlRequestError(
      "unknown-command",
      `unknown command ${JSON.stringify(command)}: expected one of ${CONTROL_COMMANDS.join(", ")}`,
      command,
    );
  }
  for (const key of Object.keys(request)) {
    if (!["command", "agent", "follow", "lines"].includes(key))
      throw new ControlRequestError("bad-request", `${command}: unknown field ${JSON.stringify(key)}`, command);
  }
  const agent = request["agent"];
  if (agent !== undefined && (typeof agent !== "string" || agent === ""))
    throw new ControlRequestError("bad-request", `${command}: "agent" must be a non-empty string`, command);
  if (agent === undefined && NEEDS_AGENT.has(command as ControlCommand))
    throw new ControlRequestError("bad-request", `${command}: needs "agent", the agent's name`, command);
  const follow = request["follow"];
  if (follow !== undefined && typeof follow !== "boolean")
    throw new ControlRequestError("bad-request", `${command}: "follow" must be true or false`, command);
  const lines = request["lines"];
  if (
    lines !== undefined &&
    !(typeof lines === "number" && Number.isInteger(lines) && lines >= 0 && lines <= MAX_LOG_LINES)
  ) {
    throw new ControlRequestError(
      "bad-request",
      `${command}: "lines" must be an integer from 0 to ${MAX_LOG_LINES}`,
      command,
    );
  }
  return {
    command: command as ControlCommand,
    ...(agent !== undefined ? { agent: agent as string } : {}),
    ...(follow !== undefined ? { follow } : {}),
    ...(lines !== undefined ? { lines: lines as number } : {}),
  };
}
