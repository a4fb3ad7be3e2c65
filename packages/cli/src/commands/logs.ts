import type { Platform } from "@aral/core";
import type { Output } from "../output.ts";
import { callFleet } from "./control-command.ts";
import { commandArguments, usageError } from "../arguments.ts";

const USAGE = "usage: aral logs <agent> [-f|--follow] [-n|--lines N] [--fleet <name>]";

/** `aral logs`: the agent's last lines from its log files; -f follows new ones until SIGINT/SIGTERM. */
export async function logs(platform: Platform, argv: string[], output: Output): Promise<number> {
  const args = commandArguments(output, argv, {
    command: "aral logs",
    usage: USAGE,
    flags: ["--follow"],
    values: ["--lines", "--fleet"],
    aliases: { "-f": "--follow", "-n": "--lines" },
    required: ["<agent>"],
  });
  if (typeof args === "number") return args;
  const [agent] = args.positionals as [string];
  const follow = args.flags.has("--follow");
  const linesText = args.values.get("--lines");
  if (linesText !== undefined && !/^\d+$/.test(linesText))
    return usageError(
      output,
      `aral logs: --lines needs a non-negative integer, got ${JSON.stringify(linesText)}`,
      USAGE,
    );
  const lines = linesText === undefined ? undefined : Number(linesText);
  const hangUp = new AbortController();
  const unsubscribe = follow
    ? (["SIGINT", "SIGTERM"] as const).map((signal) => platform.signals.on(signal, () => hangUp.abort()))
    : [];
  try {
    const answer = await callFleet(
      platform,
      args.values.get("--fleet"),
      { command: "logs", agent, ...(follow ? { follow } : {}), ...(lines !== undefined ? { lines } : {}) },
      output,
      follow
        ? {
            signal: hangUp.signal,
            onResult: (result) => {
              for (const line of (result as { lines: string[] }).lines) output.out(line);
            },
            onMessage: (message) => {
              const m = message as { line?: string; skipped?: number };
              if (typeof m.line === "string") output.out(m.line);
              else if (typeof m.skipped === "number")
                output.err(
                  `aral logs: ${m.skipped} line(s) skipped (this terminal fell behind; the log file has them)`,
                );
            },
          }
        : {},
    );
    if (!answer) return 1;
    if (!follow) for (const line of (answer.result as { lines: string[] }).lines) output.out(line);
    return 0;
  } finally {
    for (const off of unsubscribe) off();
  }
}
