// `bunx aral` follows the bin's `#!/usr/bin/env node` shebang (which npx and npm's Windows shims need) and runs it
// on Node whenever Node is installed. Started by Bun's package runner but running on Node, the bin hands the
// command to Bun, so `bunx aral` runs on Bun as `npx aral` runs on Node. ARAL_BIN_RUNTIME=node keeps it on Node.
import { spawn } from "node:child_process";
import { existsSync, readlinkSync } from "node:fs";
import { basename, delimiter, join } from "node:path";

interface Invocation {
  env: Record<string, string | undefined>;
  onBun: boolean;
  parentPid: number;
}

/** Bun's executable when Bun's package runner started this bin on another runtime; undefined otherwise. */
export function bunToHandTo({ env, onBun, parentPid }: Invocation): string | undefined {
  if (onBun || env.ARAL_BIN_RUNTIME === "node" || !env.npm_config_user_agent?.startsWith("bun/")) return undefined;
  return parentBun(parentPid) ?? onPath("bun", env.PATH);
}

/** The parent process's executable when it is Bun (Linux /proc; elsewhere PATH decides). */
function parentBun(pid: number): string | undefined {
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`);
    return /^bun(\.exe)?$/.test(basename(exe)) ? exe : undefined;
  } catch {
    return undefined;
  }
}

function onPath(name: string, path = ""): string | undefined {
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

/** Runs this bin again under `bun`, forwarding signals; exits as the Bun process did. */
export function handOff(bun: string, script: string, args: string[]): void {
  const child = spawn(bun, [script, ...args], { stdio: "inherit", env: { ...process.env, ARAL_BIN_RUNTIME: "bun" } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, forward);
  child.on("error", (error) => {
    process.stderr.write(`aral: cannot start Bun (${bun}): ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(s, forward);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
