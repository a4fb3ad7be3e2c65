import type { Platform } from "@aral/core";
import { controlCall, ControlResponseError, ControlUnreachableError } from "@aral/supervisor";
import type { ControlCallOptions, ControlRequest } from "@aral/supervisor";
import { type Arguments, usageError } from "../arguments.ts";
import type { Output } from "../output.ts";
import { fleetNameProblem, resolveControlSocket } from "./control-target.ts";

/** `--fleet <name>` as given (undefined when not), or 2 after a usage error naming a value that is no fleet name. */
export function fleetOption(output: Output, args: Arguments, command: string, usage: string): { name?: string } | 2 {
  const name = args.values.get("--fleet");
  const problem = fleetNameProblem(name);
  if (problem !== undefined) return usageError(output, `aral ${command}: ${problem}`, usage);
  return name === undefined ? {} : { name };
}

/** Sends one request to the fleet; a failure is printed as `aral <command>: <why>` and gives undefined. */
export async function callFleet(
  platform: Platform,
  fleet: string | undefined,
  request: ControlRequest,
  output: Output,
  options: ControlCallOptions = {},
): Promise<{ result: unknown } | undefined> {
  try {
    const path = await resolveControlSocket(platform, fleet, (note) => output.err(`aral ${request.command}: ${note}`));
    return { result: await controlCall(platform, path, request, options) };
  } catch (error) {
    // the fleet's message names the command already ("restart: no agent named ...")
    if (error instanceof ControlResponseError)
      output.err(
        `aral ${error.message.startsWith(`${request.command}`) ? error.message : `${request.command}: ${error.message}`}`,
      );
    else if (error instanceof ControlUnreachableError) output.err(`aral ${request.command}: ${error.message}`);
    else output.err(`aral ${request.command}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
