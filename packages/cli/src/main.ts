import type { Platform } from "@aral/core";
import type { Output } from "./output.ts";
import { consoleOutput } from "./output.ts";
import { CLI_VERSION } from "./version.ts";

const USAGE = `usage: aral <command> [options]

commands:
  check <manifest> [--json]   validate a manifest (JSON, JSONC or YAML) and print the effective configuration
  info [--json]               print the detected runtime, version, OS and the adapter in use
  audit verify <file> [--expect-head <seq>:<hash>] [--key-file <file>] [--json]
                              check an audit log's hash chain: records changed, inserted, reordered or
                              removed in the middle. Records cut from the end show only with --expect-head
                              (a head kept elsewhere); a rewrite that re-chains every hash only with
                              --key-file (logs written with that HMAC key). An empty log exits 1.
  run [options] <entry> [-- args\u2026] run an agent supervised (restarts, crash-loop stop, limits); aral run --help
  up <fleet file>             run a fleet of agents in the foreground (control socket, rotating logs); aral up --help
  ps [--json] [<agent>]       the running fleet's instances: pid, state, restarts, uptime, memory, CPU, enforcement
  logs <agent> [-f] [-n N]    an agent's log lines (-f: follow)
  restart <agent>             stop and start an agent's instances
  reload <agent>              replace an agent's instances one by one, each once its replacement is ready (no downtime;
                              an agent whose health port is fixed is restarted instead)
  stop <agent>                stop an agent's instances (it stays in the fleet; aral restart starts it)
  down                        stop every agent and end aral up
  export kubernetes|systemd --manifest <file> [options]  deploy the agent: Kubernetes YAML or systemd units; aral export --help
  version                     the aral CLI's version (also --version, -v)
  help                        this text`;

// Each command is loaded when it runs: a supervising process (`aral up`, `aral run`) carries no export, audit or
// check code.
/** Runs one `aral` command; resolves to the process exit code. */
export async function main(platform: Platform, argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "check":
      return (await import("./commands/check.ts")).check(platform, args, output);
    case "info":
      return (await import("./commands/info.ts")).info(platform, args, output);
    case "audit":
      return (await import("./commands/audit.ts")).audit(platform, args, output);
    case "run":
      return (await import("./commands/run.ts")).run(platform, args, output);
    case "up":
      return (await import("./commands/up.ts")).up(platform, args, output);
    case "ps":
      return (await import("./commands/ps.ts")).ps(platform, args, output);
    case "logs":
      return (await import("./commands/logs.ts")).logs(platform, args, output);
    case "restart":
    case "reload":
    case "stop":
      return (await import("./commands/fleet-agent-commands.ts")).agentCommand(command, platform, args, output);
    case "down":
      return (await import("./commands/fleet-agent-commands.ts")).down(platform, args, output);
    case "export":
      return (await import("./commands/export.ts")).exportCommand(platform, args, output);
    case "version":
    case "--version":
    case "-v":
      if (args.length > 0) {
        output.err(`aral ${command}: unexpected ${JSON.stringify(args[0])}\nusage: aral version`);
        return 2;
      }
      output.out(`aral ${CLI_VERSION}`);
      return 0;
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
