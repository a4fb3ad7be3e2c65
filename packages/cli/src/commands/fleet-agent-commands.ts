import type { Platform } from "@aral/core";
import type { Output } from "../output.ts";
import { callFleet } from "./control-command.ts";
import { takeFleetOption } from "./control-target.ts";

const DONE: Record<"restart" | "reload" | "stop", string> = {
  restart: "restarted",
  reload: "reloaded (no downtime)",
  stop: "stopped",
};

/** `aral restart|reload|stop <agent>`: one agent of the running fleet. */
export async function agentCommand(
  command: "restart" | "reload" | "stop",
  platform: Platform,
  argv: string[],
  output: Output,
): Promise<number> {
  const usage = `usage: aral ${command} <agent> [--fleet <name>]`;
  const taken = takeFleetOption(argv);
  if (typeof taken === "string" || taken.rest.length !== 1 || taken.rest[0]!.startsWith("-")) {
    const why =
      typeof taken === "string"
        ? taken
        : taken.rest.length === 0
          ? "missing <agent>"
          : `unexpected ${JSON.stringify(taken.rest.find((a) => a.startsWith("-")) ?? taken.rest[1])}`;
    output.err(`aral ${command}: ${why}\n${usage}`);
    return 2;
  }
  const agent = taken.rest[0]!;
  const answer = await callFleet(platform, taken.fleet, { command, agent }, output);
  if (!answer) return 1;
  const restarted = (answer.result as { restarted?: boolean } | undefined)?.restarted === true;
  output.out(
    `${agent}: ${restarted ? "restarted, not reloaded: its health port is fixed, so old and new instances cannot overlap" : DONE[command]}`,
  );
  return 0;
}

/** `aral down`: stops every agent of the running fleet and ends its `aral up`. */
export async function down(platform: Platform, argv: string[], output: Output): Promise<number> {
  const taken = takeFleetOption(argv);
  if (typeof taken === "string" || taken.rest.length > 0) {
    output.err(
      `aral down: ${typeof taken === "string" ? taken : `unexpected ${JSON.stringify(taken.rest[0])}`}\nusage: aral down [--fleet <name>]`,
    );
    return 2;
  }
  const answer = await callFleet(platform, taken.fleet, { command: "down" }, output);
  if (!answer) return 1;
  const { fleet, stopped } = answer.result as { fleet: string; stopped: string[] };
  output.out(`fleet ${fleet} is down (${stopped.join(", ")} stopped)`);
  return 0;
}
