import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fixture } from "./helpers.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
export const denoBinary = existsSync(`${repo}node_modules/deno/deno`)
  ? `${repo}node_modules/deno/deno`
  : `${repo}node_modules/.bin/deno`;
export const bunBinary = `${repo}node_modules/.bin/bun`;

/** The same test agent under each runtime the issue names: Node, Deno, Bun (kernel-agent.mjs) and python3 (kernel-agent.py). */
export const AGENT_RUNTIMES = {
  node: { command: process.execPath, args: [fixture("kernel-agent.mjs")] },
  deno: { command: denoBinary, args: ["run", "-A", fixture("kernel-agent.mjs")] },
  bun: { command: bunBinary, args: [fixture("kernel-agent.mjs")] },
  // The system python3 when there is one: a pyenv shim first runs a bash script, seconds on a loaded box.
  python3: {
    command: existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3",
    args: [fixture("kernel-agent.py")],
  },
} as const;
export type AgentRuntime = keyof typeof AGENT_RUNTIMES;
export const AGENT_RUNTIME_NAMES = Object.keys(AGENT_RUNTIMES) as AgentRuntime[];

export function agentEnv(mode: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", AGENT_MODE: mode, ...extra };
}
