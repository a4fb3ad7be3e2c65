import { ConfigError } from "@aral/core/config";
import type { Platform } from "@aral/platform";
import { ControlServer, controlDir, Fleet, LogFileError, loadFleetFile } from "@aral/supervisor";
import type { FleetSpec } from "@aral/supervisor";
import { commandArguments } from "../arguments.ts";
import { printConfigIssues } from "../config-issues.ts";
import type { Output } from "../output.ts";
import { absolutePath } from "./paths.ts";

const USAGE = "usage: aral up <fleet file>";
const HELP = `${USAGE}

Runs every agent of the fleet file (JSON, JSONC or YAML) in the foreground, each instance supervised
(restarts, crash-loop stop, limits), its output in a rotating per-agent log. A control socket (only your user
can reach it) serves aral ps, logs, restart, reload, stop and down. SIGINT/SIGTERM/SIGHUP (or aral down) stop every
agent gracefully, in parallel. An agent that cannot start is reported; the others keep running. A log
directory that cannot be created or a log file that cannot be written is an error before anything starts.`;

/** `aral up`: the fleet in the foreground until SIGINT/SIGTERM/SIGHUP or `aral down`. */
export async function up(platform: Platform, argv: string[], output: Output): Promise<number> {
  const args = commandArguments(output, argv, {
    command: "aral up",
    usage: USAGE,
    help: HELP,
    required: ["<fleet file>"],
  });
  if (typeof args === "number") return args;
  const file = absolutePath(platform, args.positionals[0]!);
  let spec: FleetSpec;
  try {
    spec = await loadFleetFile(platform, file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printConfigIssues(output, `aral up: ${file}`, error);
    return 1;
  }

  const say = (message: string) => output.err(`aral up: ${message}`);
  const fleet = new Fleet(platform, spec, {
    parentEnv: platform.env.toObject(),
    logger: { info: say, warn: say, error: say },
  });
  // Before anything starts: agents whose output could go nowhere are not started.
  try {
    await fleet.checkLogs();
  } catch (error) {
    if (!(error instanceof LogFileError)) throw error;
    say(`logs.dir of ${file}: ${error.message}; nothing started`);
    return 1;
  }
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const server = new ControlServer(platform, fleet, {
    dir: await controlDir(platform),
    onDown: () => resolveStopped(),
  });
  try {
    await server.listen();
  } catch (error) {
    output.err(`aral up: cannot open the control socket: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const unsubscribe = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) =>
    platform.signals.on(signal, () => {
      if (fleet.isDown) return; // a terminal's Ctrl-C may arrive more than once: one stop
      say(`${signal} received, stopping every agent`);
      void fleet.down().then(resolveStopped);
    }),
  );
  try {
    say(`fleet ${spec.name}: ${spec.agents.length} agent(s); control socket ${server.path}; logs in ${spec.logs.dir}`);
    for (const report of await fleet.start()) {
      if (report.error === undefined) say(`${report.agent}: ${report.ready} instance(s) ready`);
      else
        say(`${report.agent}: NOT running as declared (${report.ready} of ${report.instances} ready): ${report.error}`);
    }
    await stopped;
    say("every agent stopped");
    return 0;
  } finally {
    for (const off of unsubscribe) off();
    await server.close();
  }
}
