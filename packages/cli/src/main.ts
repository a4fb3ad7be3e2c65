import type { Platform } from "@aral/core";
import { audit } from "./commands/audit.ts";
import { check } from "./commands/check.ts";
import { exportCommand } from "./commands/export.ts";
import { info } from "./commands/info.ts";
import { run } from "./commands/run.ts";
import { up } from "./commands/up.ts";
import { ps } from "./commands/ps.ts";
import { logs } from "./commands/logs.ts";
import { agentCommand, down } from "./commands/fleet-agent-commands.ts";
import type { Output } from "./output.ts";
import { consoleOutput } from "./output.ts";

const USAGE = `usage: aral <command> [options]

commands:
  check <manifest> [--json]   validate a manifest (JSON, JSONC or YAML) and print the effective configuration
  info [--json]               print the detected runtime, version, OS and the adapter in use
  audit verify <file> [--expect-head <seq>:<hash>] [--key-file <file>] [--json]
                              check an audit log's hash chain: records changed, inserted, reordered or
                              removed in the middle. Records cut from the end show only with --expect-head
                              (a head kept elsewhere); a rewrite that re-chains every hash only with
                              --key-file (logs written with that HMAC key). An empty log exits 1.
  run [options] <entry> [-- args…] run an agent supervised (restarts, crash-loop stop, limits); aral run --help
  up <fleet file>             run a fleet of agents in the foreground (control socket, rotating logs); aral up --help
  ps [--json] [<agent>]       the running fleet's instances: pid, state, restarts, uptime, memory, CPU, enforcement
  logs <agent> [-f] [-n N]    an agent's log lines (-f: follow)
  restart <agent>             stop and start an agent's instances
  reload <agent>              replace an agent's instances one by one, each once its replacement is ready (no downtime)
  stop <agent>                stop an agent's instances (it stays in the fleet; aral restart starts it)
  down                        stop every agent and end aral up
  export kubernetes|systemd --manifest <file> [options]  deploy the agent: Kubernetes YAML or systemd units; aral export --help
  help                        this text`;

/** Runs one `aral` command; resolves to the process exit code. */
export async function main(platform: Platform, argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "check":
      return check(platform, args, output);
    case "info":
      return info(platform, args, output);
    case "audit":
      return audit(platform, args, output);
    case "run":
      return run(platform, args, output);
    case "up":
      return up(platform, args, output);
    case "ps":
      return ps(platform, args, output);
    case "logs":
      return logs(platform, args, output);
    case "restart":
    case "reload":
    case "stop":
      return agentCommand(command, platform, args, output);
    case "down":
      return down(platform, args, output);
    case "export":
      return exportCommand(platform, args, output);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      output.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      output.err(`aral: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
