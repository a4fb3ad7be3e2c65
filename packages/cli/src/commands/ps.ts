import type { Platform } from "@aral/core";
import type { InstanceStatus } from "@aral/supervisor";
import type { Output } from "../output.ts";
import { callFleet, fleetOption } from "./control-command.ts";
import { commandArguments } from "../arguments.ts";

const USAGE = "usage: aral ps [--json] [--fleet <name>] [<agent>]";

function duration(ms: number | null): string {
  if (ms === null) return "-";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function mib(bytes: number | null): string {
  return bytes === null ? "-" : `${(bytes / (1024 * 1024)).toFixed(1)}Mi`;
}

/** "memory kernel, cpu sampled": each limit that is set, with how it is enforced. */
export function enforcementText(enforcement: Record<string, unknown>): string {
  const names: Record<string, string> = {
    memory: "memory",
    swap: "swap",
    cpuLimit: "cpu",
    cpuRequest: "cpu-request",
    pids: "pids",
  };
  const parts = Object.entries(names)
    .filter(([key]) => typeof enforcement[key] === "string" && enforcement[key] !== "unset")
    .map(([key, name]) => `${name} ${String(enforcement[key])}`);
  return parts.length > 0 ? parts.join(", ") : "no limits";
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  "),
  );
}

/** `aral ps`: every instance of the running fleet - pid, state, restarts, uptime, memory, CPU, enforcement per limit. */
export async function ps(platform: Platform, argv: string[], output: Output): Promise<number> {
  const args = commandArguments(output, argv, {
    command: "aral ps",
    usage: USAGE,
    flags: ["--json"],
    values: ["--fleet"],
    optional: 1,
  });
  if (typeof args === "number") return args;
  const target = fleetOption(output, args, "ps", USAGE);
  if (target === 2) return 2;
  const agent = args.positionals[0];
  const answer = await callFleet(
    platform,
    target.name,
    { command: "ps", ...(agent !== undefined ? { agent } : {}) },
    output,
  );
  if (!answer) return 1;
  const { fleet, instances } = answer.result as { fleet: string; instances: InstanceStatus[] };
  if (args.flags.has("--json")) {
    output.out(JSON.stringify({ fleet, instances }, null, 2));
    return 0;
  }
  const rows = [["NAME", "INSTANCE", "PID", "STATE", "RESTARTS", "UPTIME", "MEMORY", "CPU", "ENFORCEMENT"]];
  for (const s of instances) {
    rows.push([
      s.agent,
      String(s.instance),
      s.pid === null ? "-" : String(s.pid),
      s.error !== undefined ? `${s.state} (${s.error})` : s.state,
      String(s.restarts),
      duration(s.uptimeMs),
      mib(s.memoryBytes),
      s.cpuSeconds === null ? "-" : `${s.cpuSeconds.toFixed(1)}s`,
      enforcementText(s.enforcement),
    ]);
  }
  for (const line of table(rows)) output.out(line);
  // Said once: every instance of a host without usable cgroups has the same fallback (its reason names its own cgroup).
  const fallback = instances.find(
    (s) => s.enforcement["mechanism"] === "none" && /sampled|not enforced/.test(enforcementText(s.enforcement)),
  );
  if (fallback)
    output.out(
      `WARNING: limits marked sampled or not enforced are NOT held by the kernel (no cgroups: ${String(fallback.enforcement["reason"] ?? "unavailable")}); cgroups need root or a delegated subtree (ARAL_CGROUP_PARENT)`,
    );
  return 0;
}
