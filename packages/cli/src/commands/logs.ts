import type { Platform } from "@aral/core";
import type { Output } from "../output.ts";
import { callFleet } from "./control-command.ts";
import { takeFleetOption } from "./control-target.ts";

const USAGE = "usage: aral logs <agent> [-f|--follow] [-n|--lines N] [--fleet <name>]";

/** `aral logs`: the agent's last lines from its log files; -f follows new ones until SIGINT/SIGTERM. */
export async function logs(platform: Platform, argv: string[], output: Output): Promise<number> {
  const taken = takeFleetOption(argv);
  if (typeof taken === "string") {
    output.err(`aral logs: ${taken}\n${USAGE}`);
    return 2;
  }
  let follow = false;
  let lines: number | undefined;
  let agent: string | undefined;
  const args = taken.rest;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-f" || arg === "--follow") follow = true;
    else if (arg === "-n" || arg === "--lines") {
      const text = args[++i];
      if (text === undefined || !/^\d+$/.test(text)) {
        output.err(`aral logs: ${arg} needs a non-negative integer, got ${JSON.stringify(text ?? "")}\n${USAGE}`);
        return 2;
      }
      lines = Number(text);
    } else if (arg.startsWith("-") || agent !== undefined) {
      output.err(`aral logs: unexpected ${JSON.stringify(arg)}\n${USAGE}`);
      return 2;
    } else agent = arg;
  }
  if (agent === undefined) {
    output.err(`aral logs: missing <agent>\n${USAGE}`);
    return 2;
  }
  const hangUp = new AbortController();
  const unsubscribe = follow
    ? (["SIGINT", "SIGTERM"] as const).map((signal) => platform.signals.on(signal, () => hangUp.abort()))
    : [];
  try {
    const answer = await callFleet(
      platform,
      taken.fleet,
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
