import type { Platform } from "@aral/core";
import { MAX_LOG_LINES } from "@aral/supervisor";
import { type Output, READER_GONE_EXIT_CODE } from "../output.ts";
import { callFleet, fleetOption } from "./control-command.ts";
import { commandArguments, usageError } from "../arguments.ts";

const USAGE = "usage: aral logs <agent> [-f|--follow] [-n|--lines N] [--fleet <name>]";

/**
 * `aral logs`: the agent's last lines from its log files; -f follows new ones until SIGINT/SIGTERM/SIGHUP (exit 0),
 * the reader of the output going away (exit 141, as SIGPIPE), or the fleet ending: "the fleet ended" and exit 0
 * when it stopped (aral down, aral up stopped by a signal), exit 1 when the connection to it was lost (aral up
 * killed or crashed).
 */
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
  const target = fleetOption(output, args, "logs", USAGE);
  if (target === 2) return 2;
  const [agent] = args.positionals as [string];
  const follow = args.flags.has("--follow");
  const linesText = args.values.get("--lines");
  if (linesText !== undefined && !(/^\d+$/.test(linesText) && Number(linesText) <= MAX_LOG_LINES))
    return usageError(
      output,
      `aral logs: --lines needs a non-negative integer${/^\d+$/.test(linesText) ? ` of at most ${MAX_LOG_LINES}` : ""}, got ${JSON.stringify(linesText)}`,
      USAGE,
    );
  const lines = linesText === undefined ? undefined : Number(linesText);
  const hangUp = new AbortController();
  let readerGone = false;
  let fleetStopped = false;
  const unsubscribe = follow
    ? (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => platform.signals.on(signal, () => hangUp.abort()))
    : [];
  // `aral logs agent -f | head -1`: once head has gone, stop following, quietly
  const offReaderGone = follow
    ? output.onReaderGone?.(() => {
        readerGone = true;
        hangUp.abort();
      })
    : undefined;
  if (offReaderGone) unsubscribe.push(offReaderGone);
  try {
    const answer = await callFleet(
      platform,
      target.name,
      { command: "logs", agent, ...(follow ? { follow } : {}), ...(lines !== undefined ? { lines } : {}) },
      output,
      follow
        ? {
            signal: hangUp.signal,
            onResult: (result) => {
              for (const line of (result as { lines: string[] }).lines) output.out(line);
            },
            onMessage: (message) => {
              // a ControlFollowMessage
              const m = message as { line?: unknown; skipped?: unknown; end?: unknown };
              if (typeof m.line === "string") output.out(m.line);
              else if (typeof m.skipped === "number")
                output.err(
                  `aral logs: ${m.skipped} line(s) skipped (this terminal fell behind; the log file has them)`,
                );
              else if (m.end === "fleet-stopped") fleetStopped = true;
            },
          }
        : {},
    );
    if (!answer) return 1;
    if (!follow) {
      for (const line of (answer.result as { lines: string[] }).lines) output.out(line);
      return 0;
    }
    if (readerGone) return READER_GONE_EXIT_CODE;
    if (hangUp.signal.aborted) return 0;
    if (fleetStopped) {
      output.err("aral logs: the fleet ended");
      return 0;
    }
    output.err("aral logs: the fleet ended: the connection to it was lost (aral up was killed or crashed)");
    return 1;
  } finally {
    for (const off of unsubscribe) off();
  }
}
