import { ConfigError, loadManifest, manifestPathFromEnvironment, resolveRuntimeConfig } from "@aral/core/config";
import { isPlatformError } from "@aral/platform";
import type { Platform, RuntimeConfig } from "@aral/core";
import { Fleet, SUPERVISED_RUNTIMES } from "@aral/supervisor";
import type { FleetAgentSpec, SupervisedRuntime, SupervisorOutcome } from "@aral/supervisor";
import { type Arguments, commandArguments, usageError } from "../arguments.ts";
import { printConfigIssues } from "../config-issues.ts";
import { type Output, READER_GONE_EXIT_CODE } from "../output.ts";
import { absolutePath } from "./paths.ts";

const USAGE =
  "usage: aral run [--runtime node|deno|bun] [--manifest <path>] [--max-restarts N] [--allow-env NAME]\u2026 <entry> [-- args\u2026]";
const HELP = `${USAGE}

Runs <entry> under node, deno or bun (default: the runtime running aral) and keeps it running:
  restarts after a crash with exponential backoff (errorHandling.backoffMs \u2026 maxBackoffMs of the manifest),
  stops after more than --max-restarts (default 5) restarts within 60 s (crash loop, exit code of the last run),
  holds resources.memory.limit, cpu.limit, cpu.request and pids.limit in the agent's own cgroup (Linux; else
  samples memory from /proc and says which limits are not enforced), and stops it with one SIGTERM, then
  SIGKILL to everything it started at lifecycle.terminationGracePeriod (default shutdownTimeout + 2 s).
--manifest defaults to $ARAL_MANIFEST; the agent gets the absolute path as ARAL_MANIFEST.
ARAL_CGROUP_PARENT=<dir> creates the agent's cgroup under a delegated cgroup subtree (inside the cgroup v2 mount).
The agent sees only PATH, HOME, LANG, LC_*, TZ, TMPDIR, ARAL_* (but aral's own ARAL_INSTANCE_ID and
ARAL_MANIFEST) and each --allow-env NAME.
SIGINT, SIGTERM and SIGHUP (a closed terminal, a dropped SSH session) stop the agent gracefully; aral run exits
with the agent's final code (128 + the signal's number when a signal ended it, as a shell reports it).
When the reader of aral run's output goes away (aral run agent.mjs | head), the agent is stopped gracefully
and aral run exits 141 (128 + SIGPIPE, as a program killed by SIGPIPE).`;
const DEFAULT_MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** Linux's signal numbers (x86, ARM and most others; what a shell adds to 128 for a process a signal ended). */
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

interface RunArgs {
  runtime: SupervisedRuntime;
  manifestPath: string | undefined;
  maxRestarts: number;
  allowEnv: string[];
  entry: string;
  args: string[];
}

/** The run's settings from parsed arguments, or a message naming the one that is wrong. */
function runArgs(platform: Platform, args: Arguments): RunArgs | string {
  const runtime =
    args.values.get("--runtime") ??
    ((SUPERVISED_RUNTIMES as readonly string[]).includes(platform.runtime.name) ? platform.runtime.name : "node");
  if (!(SUPERVISED_RUNTIMES as readonly string[]).includes(runtime))
    return `--runtime must be one of ${SUPERVISED_RUNTIMES.join(", ")}, got ${JSON.stringify(runtime)}`;
  const maxRestarts = args.values.get("--max-restarts") ?? String(DEFAULT_MAX_RESTARTS);
  if (!/^\d+$/.test(maxRestarts))
    return `--max-restarts must be a non-negative integer, got ${JSON.stringify(maxRestarts)}`;
  const allowEnv = args.lists.get("--allow-env") ?? [];
  const badName = allowEnv.find((name) => name.includes("="));
  if (badName !== undefined) return `--allow-env needs a variable name, got ${JSON.stringify(badName)}`;
  const [entry, ...rest] = args.positionals as [string, ...string[]];
  return {
    runtime: runtime as SupervisedRuntime,
    manifestPath: args.values.get("--manifest"),
    maxRestarts: Number(maxRestarts),
    allowEnv: [...allowEnv],
    entry,
    // everything after the entry belongs to the agent (a "--" right after it is dropped)
    args: rest[0] === "--" ? rest.slice(1) : rest,
  };
}

/** The agent's name in messages and its cgroup: the entry's file name without extension. */
function agentName(entry: string): string {
  const file = entry.slice(entry.lastIndexOf("/") + 1);
  const stem = (file.indexOf(".") > 0 ? file.slice(0, file.indexOf(".")) : file).replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z0-9]/.test(stem) ? stem.slice(0, 63) : "agent";
}

/**
 * The exit code of `aral run`: the child's final code, 128 + signal number when a signal ended it (a signal this
 * table does not name, a real-time one, gives 1).
 */
export function exitCode(outcome: SupervisorOutcome): number {
  if (outcome.state === "failed") return isPlatformError(outcome.error) && outcome.error.code === "NotFound" ? 127 : 1;
  if (outcome.code !== null) return outcome.code;
  if (outcome.signal !== null) {
    const number = SIGNAL_NUMBERS[outcome.signal];
    return number === undefined ? 1 : 128 + number;
  }
  return outcome.state === "crash-loop" ? 1 : 0;
}

/**
 * `aral run`: the one-agent case of `aral up` - a fleet of one agent with one instance, its output on the
 * terminal. Runs an agent under the supervisor - restarts with backoff, crash-loop stop, memory limit,
 * least-privilege environment; SIGINT/SIGTERM/SIGHUP stop it gracefully; exits with the child's final code
 * (141 when the reader of the output went away: the agent is stopped then too).
 */
export async function run(platform: Platform, argv: string[], output: Output): Promise<number> {
  const args = commandArguments(output, argv, {
    command: "aral run",
    usage: USAGE,
    help: HELP,
    values: ["--runtime", "--manifest", "--max-restarts"],
    lists: ["--allow-env"],
    required: ["<entry>: the agent's script"],
    stopAtFirstPositional: true,
  });
  if (typeof args === "number") return args;
  const parsed = runArgs(platform, args);
  if (typeof parsed === "string") return usageError(output, `aral run: ${parsed}`, USAGE);
  let config: RuntimeConfig;
  // like the runtime it supervises, aral run takes ARAL_MANIFEST when no --manifest is given
  const fromVariable =
    parsed.manifestPath === undefined ? manifestPathFromEnvironment(platform.env.toObject()) : undefined;
  const manifestOption = parsed.manifestPath ?? fromVariable;
  const manifestPath = manifestOption === undefined ? undefined : absolutePath(platform, manifestOption);
  try {
    config = resolveRuntimeConfig(
      manifestPath === undefined
        ? {}
        : await loadManifest(platform, manifestPath, fromVariable === undefined ? {} : { variable: "ARAL_MANIFEST" }),
      platform.env.toObject(),
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      const source = fromVariable === undefined ? manifestPath : `ARAL_MANIFEST=${manifestPath}`;
      printConfigIssues(output, `aral run: ${source ?? "environment"}`, error);
      return 1;
    }
    throw error;
  }

  const entry = absolutePath(platform, parsed.entry);
  const agent: FleetAgentSpec = {
    name: agentName(entry),
    runtime: parsed.runtime,
    entry,
    command: undefined,
    args: parsed.args,
    cwd: platform.process.cwd(),
    instances: 1,
    config,
    manifestPath,
    env: parsed.allowEnv,
    maxRestarts: parsed.maxRestarts,
    restartWindowMs: RESTART_WINDOW_MS,
    // aral run waits for nothing: the agent's output is the operator's terminal.
    ready: { startupMs: 0, timeoutMs: 3_600_000 },
  };
  const fleet = new Fleet(
    platform,
    // A fleet of one agent with one instance; its output goes to the terminal, so the log is never written.
    { name: agent.name, file: entry, logs: { dir: platform.process.cwd(), maxBytes: 1, files: 0 }, agents: [agent] },
    {
      parentEnv: platform.env.toObject(),
      execPaths: platform.runtime.name === parsed.runtime ? { [parsed.runtime]: platform.process.execPath } : {},
      // The agent is paced by aral's reader, as it would be writing to that pipe itself: a paused `| less` holds
      // the agent's writes, not a growing copy of them in aral's memory.
      onOutput: ({ stream, line }) => {
        if (stream === "stdout") output.out(line);
        else output.err(line);
        return output.backlog?.();
      },
      logger: {
        info: (message) => output.err(`aral run: ${message}`),
        warn: (message) => output.err(`aral run: ${message}`),
        error: (message) => output.err(`aral run: ${message}`),
      },
    },
  );
  const unsubscribe = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) =>
    platform.signals.on(signal, () => {
      output.err(`aral run: ${signal} received, stopping the agent`);
      void fleet.down();
    }),
  );
  // `aral run agent.mjs | head`: once head has gone, nobody sees the agent's output; stop it as SIGPIPE would
  let readerGone = false;
  const offReaderGone = output.onReaderGone?.(() => {
    readerGone = true;
    output.err("aral run: the reader of the output went away (EPIPE), stopping the agent");
    void fleet.down();
  });
  if (offReaderGone) unsubscribe.push(offReaderGone);
  try {
    await fleet.start();
    const [instance] = fleet.instances(agent.name);
    // The fleet's logger has said why (or the signal that stopped the start has).
    if (!instance) return 1;
    const outcome = await instance.finished();
    await fleet.down();
    return readerGone ? READER_GONE_EXIT_CODE : exitCode(outcome);
  } finally {
    for (const off of unsubscribe) off();
  }
}
