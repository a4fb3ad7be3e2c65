import { ConfigError } from "@aral/core/config";
import type { Platform } from "@aral/core";
import { isPlatformError } from "@aral/platform";
import {
  envSecretName,
  EXPORTABLE_ENV_NAME,
  ExportError,
  fleetExportAgents,
  loadFleetFile,
  exportKubernetes,
  exportSystemd,
  formatNote,
  KUBERNETES_KINDS,
  loadManifestAgent,
  RESTART_STEPS_SINCE,
  SUPERVISED_RUNTIMES,
  yamlDocuments,
} from "@aral/supervisor";
import type { ExportAgent, ExportNote, KubernetesKind, SupervisedRuntime, SystemdUnit } from "@aral/supervisor";
import { type Arguments, commandArguments, usageError } from "../arguments.ts";
import { printConfigIssues } from "../config-issues.ts";
import type { Output } from "../output.ts";
import { absolutePath } from "./paths.ts";

const USAGE = `usage: aral export kubernetes|systemd --manifest <file> | --fleet <file> [options]`;
const HELP = `${USAGE}

Prints what runs the agent of <file> on the target: Kubernetes objects (YAML) or systemd unit files.
A manifest field the target cannot express is named on stderr; an invalid manifest exits 1 with aral check's errors,
and anything else the target cannot take (or an output that cannot be written) exits 1 with one line naming it.

  --manifest <file>        the agent's manifest (JSON, JSONC or YAML)
  --fleet <file>           a fleet file (aral up's): one object set / unit per agent; its directory is the image's /app
  --entry <path>           the agent's script (default agent.ts; relative to the image's /app, or to --workdir)
  --runtime node|deno|bun  default the manifest's platform, node when "auto"
  --name <name>            object/unit name (default from the manifest file name)
  --allow-env NAME         a variable the agent may see (repeatable): from the Secret <name>-env (Kubernetes),
                           from /etc/aral/<name>.env (systemd) \u2014 values are never written into the output
  -o, --output <path>      write to a file instead of stdout (systemd: into the directory <path> for several
                           units, or when <path> is one); its directory must exist
kubernetes:
  --kind deployment|statefulset|sandbox   default deployment (sandbox: agents.x-k8s.io/v1alpha1 Sandbox)
  --image <ref>            an image reference ([registry[:port]/]path[:tag][@digest]); default the runtime's
                           official image (node:24-slim, denoland/deno:2.9.6, oven/bun:1.4.5-slim)
  --monitor                a PodMonitor (Prometheus Operator) instead of prometheus.io/* annotations
  --replicas N             Deployment/StatefulSet replicas (default 1)
  --health-port N          port of the health server (default the manifest's health.port, else 8080)
  --service-account NAME   run as it (a DNS-1123 subdomain), with its token mounted (default: no token)
  --workdir <dir>          where the code is in the image (default /app)
systemd:
  --exec-path <path>       the runtime's executable (default its name, looked up in systemd's PATH; a relative
                           path is taken from the current directory)
  --workdir <dir>          WorkingDirectory= (default the entry's directory; a relative entry is relative to it)
  --user <name>            User= (default aral): a letter or _, then letters, digits, _ or - (at most 31), or a uid
  --systemd-version N      the target's systemd (default the installed one): RestartSteps= needs ${RESTART_STEPS_SINCE}
  --max-restarts N         restarts within 60 s before systemd gives up (default 5, as aral run)`;

const TARGETS = ["kubernetes", "systemd"] as const;
type Target = (typeof TARGETS)[number];

interface ExportArgs {
  target: Target;
  manifest?: string;
  fleet?: string;
  entry?: string;
  runtime?: SupervisedRuntime;
  name?: string;
  allowEnv: string[];
  output?: string;
  kind?: KubernetesKind;
  image?: string;
  monitor: boolean;
  replicas?: number;
  healthPort?: number;
  serviceAccount?: string;
  workdir?: string;
  execPath?: string;
  user?: string;
  systemdVersion?: number;
  maxRestarts?: number;
}

const TEXT_OPTIONS = {
  "--manifest": "manifest",
  "--fleet": "fleet",
  "--entry": "entry",
  "--name": "name",
  "--image": "image",
  "--service-account": "serviceAccount",
  "--workdir": "workdir",
  "--exec-path": "execPath",
  "--user": "user",
  "--output": "output",
} as const;
const INTEGER_OPTIONS = {
  "--replicas": ["replicas", 0, 1000],
  "--health-port": ["healthPort", 1, 65_535],
  "--systemd-version": ["systemdVersion", 1, 10_000],
  "--max-restarts": ["maxRestarts", 0, 1000],
} as const;

const EXPORT_SPEC = {
  command: "aral export",
  usage: `${USAGE} (aral export --help)`,
  help: HELP,
  flags: ["--monitor"],
  values: [...Object.keys(TEXT_OPTIONS), ...Object.keys(INTEGER_OPTIONS), "--runtime", "--kind"],
  lists: ["--allow-env"],
  aliases: { "-o": "--output" },
  required: ["the target (kubernetes or systemd)"],
};

/** The export's settings from parsed arguments, or a message naming the one that is wrong. */
function exportArgs(args: Arguments): ExportArgs | string {
  const [target] = args.positionals as [string];
  if (!(TARGETS as readonly string[]).includes(target))
    return `the target must be one of ${TARGETS.join(", ")}, got ${JSON.stringify(target)}`;
  const parsed: Partial<ExportArgs> & { allowEnv: string[]; monitor: boolean } = {
    target: target as Target,
    allowEnv: [...(args.lists.get("--allow-env") ?? [])],
    monitor: args.flags.has("--monitor"),
  };
  for (const [flag, key] of Object.entries(TEXT_OPTIONS)) {
    const value = args.values.get(flag);
    if (value !== undefined) parsed[key] = value;
  }
  for (const [flag, [key, min, max]] of Object.entries(INTEGER_OPTIONS)) {
    const text = args.values.get(flag);
    if (text === undefined) continue;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
      return `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`;
    parsed[key] = Number(text);
  }
  const runtime = args.values.get("--runtime");
  if (runtime !== undefined && !(SUPERVISED_RUNTIMES as readonly string[]).includes(runtime))
    return `--runtime must be one of ${SUPERVISED_RUNTIMES.join(", ")}, got ${JSON.stringify(runtime)}`;
  if (runtime !== undefined) parsed.runtime = runtime as SupervisedRuntime;
  const kind = args.values.get("--kind");
  if (kind !== undefined && !(KUBERNETES_KINDS as readonly string[]).includes(kind))
    return `--kind must be one of ${KUBERNETES_KINDS.join(", ")}, got ${JSON.stringify(kind)}`;
  if (kind !== undefined) parsed.kind = kind as KubernetesKind;
  const badName = parsed.allowEnv.find((name) => !EXPORTABLE_ENV_NAME.test(name));
  if (badName !== undefined)
    return `--allow-env needs a variable name (letters, digits, _; not starting with a digit), got ${JSON.stringify(badName)}`;
  if (parsed.manifest === undefined && parsed.fleet === undefined)
    return "--manifest <file> or --fleet <file> is required";
  if (parsed.manifest !== undefined && parsed.fleet !== undefined) return "give --manifest or --fleet, not both";
  if (parsed.fleet !== undefined) {
    for (const flag of ["entry", "runtime", "name"] as const)
      if (parsed[flag] !== undefined) return `--${flag} is per agent: the fleet file says it`;
    if (parsed.allowEnv.length > 0) return "--allow-env is per agent: the fleet file's env says it";
  }
  const kubernetesOnly = ["kind", "image", "replicas", "healthPort", "serviceAccount"] as const;
  const systemdOnly = ["execPath", "user", "systemdVersion", "maxRestarts"] as const;
  for (const key of parsed.target === "systemd" ? kubernetesOnly : systemdOnly) {
    if (parsed[key] !== undefined)
      return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to ${parsed.target === "systemd" ? "kubernetes" : "systemd"} only`;
  }
  if (parsed.target === "systemd" && parsed.monitor) return "--monitor applies to kubernetes only";
  return parsed as ExportArgs;
}

/** The installed systemd's version (`systemctl --version` -> "systemd 252 (...)"), or undefined when there is none. */
async function installedSystemdVersion(platform: Platform): Promise<number | undefined> {
  try {
    const child = platform.process.spawn("systemctl", ["--version"], { stdout: "pipe", stderr: "null" });
    const [text, status] = await Promise.all([new Response(child.stdout).text(), child.status]);
    const match = /^systemd (\d+)/.exec(text);
    return status.success && match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `aral export kubernetes|systemd`: the manifest's agent as Kubernetes objects or systemd units. */
export async function exportCommand(platform: Platform, argv: string[], output: Output): Promise<number> {
  if (argv.length === 0) {
    output.err(HELP);
    return 2;
  }
  const args = commandArguments(output, argv, EXPORT_SPEC);
  if (typeof args === "number") return args;
  const parsed = exportArgs(args);
  if (typeof parsed === "string") return usageError(output, `aral export: ${parsed}`, EXPORT_SPEC.usage);
  const source = parsed.fleet ?? parsed.manifest!;
  let agents: ExportAgent[];
  try {
    if (parsed.fleet !== undefined) {
      agents = await fleetExportAgents(
        platform,
        await loadFleetFile(platform, absolutePath(platform, parsed.fleet)),
        parsed.target,
      );
    } else {
      // systemd without --workdir: the entry is a path on this machine, relative to where aral runs.
      const entry =
        parsed.target === "systemd" && parsed.workdir === undefined
          ? absolutePath(platform, parsed.entry ?? "agent.ts")
          : parsed.entry;
      const agent = await loadManifestAgent(platform, absolutePath(platform, parsed.manifest!), {
        ...(parsed.name !== undefined ? { name: parsed.name } : {}),
        ...(entry !== undefined ? { entry } : {}),
        ...(parsed.runtime !== undefined ? { runtime: parsed.runtime } : {}),
        allowEnv: parsed.allowEnv,
      });
      agents = [agent];
    }
  } catch (error) {
    return failure(output, source, error);
  }

  const notes: ExportNote[] = [];
  let text: string;
  const units: SystemdUnit[] = [];
  try {
    if (parsed.target === "kubernetes") {
      const objects: Record<string, unknown>[] = [];
      for (const agent of agents) {
        const result = exportKubernetes(agent, {
          ...(parsed.kind !== undefined ? { kind: parsed.kind } : {}),
          ...(parsed.image !== undefined ? { image: parsed.image } : {}),
          ...(parsed.replicas !== undefined ? { replicas: parsed.replicas } : {}),
          ...(parsed.healthPort !== undefined ? { healthPort: parsed.healthPort } : {}),
          ...(parsed.serviceAccount !== undefined ? { serviceAccount: parsed.serviceAccount } : {}),
          ...(parsed.workdir !== undefined ? { workdir: parsed.workdir } : {}),
          monitor: parsed.monitor,
        });
        objects.push(...result.objects);
        notes.push(...result.notes);
      }
      text = await yamlDocuments(objects);
    } else {
      const systemdVersion = parsed.systemdVersion ?? (await installedSystemdVersion(platform));
      for (const agent of agents) {
        const result = exportSystemd(agent, {
          // A path (not a bare name systemd looks up) is this machine's, relative to where aral runs.
          ...(parsed.execPath !== undefined
            ? { execPath: parsed.execPath.includes("/") ? absolutePath(platform, parsed.execPath) : parsed.execPath }
            : {}),
          ...(parsed.workdir !== undefined ? { workingDirectory: absolutePath(platform, parsed.workdir) } : {}),
          ...(parsed.user !== undefined ? { user: parsed.user } : {}),
          ...(systemdVersion !== undefined ? { systemdVersion } : {}),
          ...(parsed.maxRestarts !== undefined ? { maxRestarts: parsed.maxRestarts } : {}),
        });
        units.push(...result.units);
        notes.push(...result.notes);
      }
      text = units.map((unit) => (units.length > 1 ? `### ${unit.fileName}\n${unit.text}` : unit.text)).join("\n");
    }
  } catch (error) {
    return failure(output, source, error);
  }

  let writeFailure: string | undefined;
  if (parsed.output === undefined) output.out(text.replace(/\n$/, ""));
  else {
    const written = await writeOutput(platform, absolutePath(platform, parsed.output), text, units);
    if (typeof written === "string") writeFailure = written;
    else if (written.length > 0) output.err(`aral export: wrote ${written.join(", ")}`);
  }
  // The notes and hints say what the objects/units need, written or not: printed before a write failure too.
  for (const note of notes) output.err(`aral export: ${formatNote(note)}`);
  for (const agent of agents) {
    if (agent.allowEnv.length === 0) continue;
    output.err(
      parsed.target === "kubernetes"
        ? `aral export: ${agent.name} reads ${agent.allowEnv.join(", ")} from the Secret ${envSecretName(agent.name)}: kubectl create secret generic ${envSecretName(agent.name)} ${agent.allowEnv.map((name) => `--from-literal=${name}=\u2026`).join(" ")}`
        : `aral export: ${agent.name} reads ${agent.allowEnv.join(", ")} from /etc/aral/${agent.name}.env (NAME=value lines, mode 0600)`,
    );
  }
  if (writeFailure !== undefined) {
    output.err(`aral export: ${writeFailure}`);
    return 1;
  }
  return 0;
}

function dirOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** Why writing `path` failed, in words: the PlatformError's code, else its message. */
function writeReason(error: unknown, path: string): string {
  if (isPlatformError(error)) {
    switch (error.code) {
      case "NotFound":
        return `the directory ${dirOf(path)} does not exist`;
      case "NotADirectory":
        return `a parent of it is not a directory`;
      case "IsADirectory":
        return "it is a directory";
      case "PermissionDenied":
        return "permission denied";
      case "AlreadyExists":
        return "it exists and is not a directory";
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes the output to `path`: systemd units into the directory `path` when there are several (created if missing)
 * or when it is an existing directory, else the text into the file `path` (its directory must exist). The paths
 * written, or one line saying what could not be written and why.
 */
async function writeOutput(
  platform: Platform,
  path: string,
  text: string,
  units: readonly SystemdUnit[],
): Promise<string[] | string> {
  const isDirectory = await platform.fs.stat(path).then(
    (info) => info.isDirectory,
    () => false,
  );
  if (units.length > 1 || (units.length === 1 && isDirectory)) {
    try {
      await platform.fs.mkdir(path, { recursive: true });
    } catch (error) {
      return `cannot write the units into ${path}: ${writeReason(error, path)} (${units.length > 1 ? `${units.length} units need a directory` : "-o names a directory or a file"})`;
    }
    const written: string[] = [];
    for (const unit of units) {
      const file = `${path.replace(/\/+$/, "")}/${unit.fileName}`;
      try {
        await platform.fs.writeFile(file, unit.text);
      } catch (error) {
        return `cannot write ${file}: ${writeReason(error, file)}${written.length > 0 ? ` (wrote ${written.join(", ")})` : ""}`;
      }
      written.push(file);
    }
    return written;
  }
  if (isDirectory)
    return `cannot write ${path}: it is a directory (${units.length === 0 ? "the Kubernetes objects go into one file" : "give a file name"})`;
  try {
    await platform.fs.writeFile(path, text);
  } catch (error) {
    return `cannot write ${path}: ${writeReason(error, path)}`;
  }
  return [];
}

/**
 * One failure of the export as `aral export` prints it: a file's problems as `aral check` does (exit 1), an
 * ExportError's one line (exit 2 for a bad request, 1 for an input the target cannot take), a file the platform
 * could not read (exit 1). Anything else is a failure too: one line, exit 1, never a stack trace.
 */
function failure(output: Output, path: string, error: unknown): number {
  if (error instanceof ConfigError) {
    printConfigIssues(output, path, error);
    return 1;
  }
  if (error instanceof ExportError) {
    output.err(`aral export: ${error.message}`);
    return error.origin === "option" ? 2 : 1;
  }
  if (isPlatformError(error)) {
    output.err(`aral export: ${error.message}`); // "NotFound: readFile '<path>' failed: ..."
    return 1;
  }
  output.err(
    `aral export: ${path}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.replace(
      /\s*\n\s*/g,
      " ",
    ),
  );
  return 1;
}
