import type { Platform } from "@aral/core";
import type { Output } from "../output.ts";
import { callFleet, fleetOption } from "./control-command.ts";
import { commandArguments } from "../arguments.ts";

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
  const args = commandArguments(output, argv, {
    command: `aral ${command}`,
    usage,
    values: ["--fleet"],
    required: ["<agent>"],
  });
  if (typeof args === "number") return args;
  const target = fleetOption(output, args, command, usage);
  if (target === 2) return 2;
  const [agent] = args.positionals as [string];
  const answer = await callFleet(platform, target.name, { command, agent }, output);
  if (!answer) return 1;
  const restarted = (answer.result as { restarted?: boolean } | undefined)?.restarted === true;
  output.out(
    `${agent}: ${restarted ? "restarted, not reloaded: its health port is fixed, so old and new instances cannot overlap" : DONE[command]}`,
  );
  return 0;
}

/** `aral down`: stops every agent of the running fleet and ends its `aral up`. */
export async function down(platform: Platform, argv: string[], output: Output): Promise<number> {
  const usage = "usage: aral down [--fleet <name>]";
  const args = commandArguments(output, argv, { command: "aral down", usage, values: ["--fleet"] });
  if (typeof args === "number") return args;
  const target = fleetOption(output, args, "down", usage);
  if (target === 2) return 2;
  const answer = await callFleet(platform, target.name, { command: "down" }, output);
  if (!answer) return 1;
  const { fleet, stopped } = answer.result as { fleet: string; stopped: string[] };
  output.out(`fleet ${fleet} is down (${stopped.join(", ")} stopped)`);
  return 0;
}
