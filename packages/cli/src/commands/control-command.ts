import type { Platform } from "@aral/core";
import { controlCall, ControlResponseError, ControlUnreachableError } from "@aral/supervisor";
import type { ControlCallOptions, ControlRequest } from "@aral/supervisor";
import type { Output } from "../output.ts";
import { resolveControlSocket } from "./control-target.ts";

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
