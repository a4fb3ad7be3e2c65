import type { Platform } from "@aral/core";
import { commandArguments } from "../arguments.ts";
import type { Output } from "../output.ts";

/** `aral info [--json]`: the detected runtime and the adapter in use. */
export function info(platform: Platform, argv: string[], output: Output): number {
  const args = commandArguments(output, argv, {
    command: "aral info",
    usage: "usage: aral info [--json]",
    flags: ["--json"],
  });
  if (typeof args === "number") return args;
  const { name, version, os, arch, cpus } = platform.runtime;
  const details = {
    runtime: name,
    version,
    os,
    arch,
    cpus,
    adapter: `@aral/adapter-${name}`,
    pid: platform.process.pid,
    cwd: platform.process.cwd(),
  };
  if (args.flags.has("--json")) {
    output.out(JSON.stringify(details));
    return 0;
  }
  const width = Math.max(...Object.keys(details).map((k) => k.length));
  for (const [key, value] of Object.entries(details)) output.out(`${key.padEnd(width)}  ${value}`);
  return 0;
}
