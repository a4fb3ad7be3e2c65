import type { Platform } from "@aral/core";
import { audit } from "./commands/audit.ts";
import { check } from "./commands/check.ts";
import { exportCommand } from "./commands/export.ts";
import { info } from "./commands/info.ts";
import { run } from "./commands/run.ts";
import type { Output } from "./output.ts";
import { consoleOutput } from "./output.ts";

const USAGE = `usage: aral <command> [options]

commands:
  check <manifest> [--json]   validate a manifest (JSON, JSONC or YAML) and print the effective configuration
  info [--json]               print the detected runtime, version, OS and the adapter in use
  audit verify <file> [--json] check the hash chain of an audit log (tampering, deletions, reordering)
  run [options] <entry> [-- args…] run an agent supervised (restarts, crash-loop stop, limits); aral run --help
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
