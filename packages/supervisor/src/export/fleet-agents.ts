import { formatForPath, parseManifestText } from "@aral/core/config";
import type { RuntimeConfig } from "@aral/core";
import type { Platform } from "@aral/platform";
import type { SupervisedRuntime } from "../runtime-command.ts";
import { checkAgentName, type ExportAgent } from "./agent.ts";
import { envSecretName, EXPORTABLE_ENV_NAME } from "./container-env.ts";
import { ExportError } from "./errors.ts";

/** What the export reads of a parsed fleet file (the fleet module's FleetSpec has these fields). */
export interface FleetLike {
  /** Absolute path of the fleet file. */
  file: string;
  agents: readonly {
    name: string;
    runtime: SupervisedRuntime | undefined;
    /** Absolute (resolved against the fleet file's directory). */
    entry: string | undefined;
    command: readonly string[] | undefined;
    args: readonly string[];
    /** Absolute. */
    cwd: string;
    instances: number;
    config: RuntimeConfig;
    manifestPath: string | undefined;
    inlineSettings?: Readonly<Record<string, string>>;
    env: readonly string[];
    ready?: { line?: string; url?: string; startupMs: number };
  }[];
}

function dirOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** `path` relative to `base` when it lies inside it ("" for base itself), else undefined. */
function inside(base: string, path: string): string | undefined {
  const root = base.endsWith("/") ? base : `${base}/`;
  if (path === base) return "";
  return path.startsWith(root) ? path.slice(root.length) : undefined;
}

/**
 * One ExportAgent per fleet agent (one object set / unit each). For Kubernetes the fleet file's directory is the
 * image's working directory: entries, manifests and `cwd` are placed relative to it, so they must lie inside it.
 * An agent with inline `layers.runtime` (no manifest file) is exported as `aral up` runs it: its limits applied
 * by the target, no manifest shipped.
 */
export async function fleetExportAgents(
  platform: Pick<Platform, "fs">,
  fleet: FleetLike,
  target: "kubernetes" | "systemd",
): Promise<ExportAgent[]> {
  const root = dirOf(fleet.file);
  const rawFleet = (await parseManifestText(
    await platform.fs.readTextFile(fleet.file),
    formatForPath(fleet.file),
    fleet.file,
  )) as { agents?: { layers?: { runtime?: unknown } }[] };
  const relative = (index: number, field: string, path: string): string => {
    if (target === "systemd") return path;
    const within = inside(root, path);
    if (within === undefined)
      throw new ExportError(
        `agents[${index}].${field}`,
        `agents[${index}].${field} ${path} is outside the fleet file's directory ${root}, which becomes the image's working directory`,
        "input",
      );
    return within;
  };
  const agents: ExportAgent[] = [];
  for (const [index, spec] of fleet.agents.entries()) {
    let name: string;
    try {
      name = checkAgentName(spec.name);
    } catch (error) {
      throw new ExportError(`agents[${index}].name`, `agents[${index}].name: ${(error as Error).message}`, "input");
    }
    const badEnv = spec.env.flatMap((variable, i) =>
      EXPORTABLE_ENV_NAME.test(variable) ? [] : [`agents[${index}].env[${i}] ${JSON.stringify(variable)}`],
    );
    if (badEnv.length > 0)
      throw new ExportError(
        badEnv[0]!.slice(0, badEnv[0]!.indexOf(" ")),
        `${badEnv.join(", ")}: not a variable name the export can carry (letters, digits and _, not starting with a digit): ${target === "kubernetes" ? `each must serve as the container's variable, a key of the Secret ${envSecretName(name)} and a kubectl --from-literal argument` : "systemd's EnvironmentFile= ignores other names"} (aral up passes any name its environment holds)`,
        "input",
      );
    let manifest: ExportAgent["manifest"];
    let written: unknown = rawFleet.agents?.[index]?.layers?.runtime;
    if (spec.manifestPath !== undefined) {
      const text = await platform.fs.readTextFile(spec.manifestPath);
      const fileName = spec.manifestPath.slice(spec.manifestPath.lastIndexOf("/") + 1);
      manifest = {
        path: spec.manifestPath,
        fileName,
        text,
        relativePath: relative(index, "manifest", spec.manifestPath),
      };
      written = (
        (await parseManifestText(text, formatForPath(spec.manifestPath), spec.manifestPath)) as {
          layers?: { runtime?: unknown };
        }
      ).layers?.runtime;
    }
    const cwd = relative(index, "cwd", spec.cwd);
    agents.push({
      name,
      runtime: spec.runtime,
      entry: spec.entry === undefined ? undefined : relative(index, "entry", spec.entry),
      command: spec.command,
      args: spec.args,
      config: spec.config,
      written,
      manifest,
      ...(spec.inlineSettings === undefined ? {} : { settings: spec.inlineSettings }),
      allowEnv: spec.env,
      instances: spec.instances,
      ...(spec.ready === undefined ? {} : { ready: spec.ready }),
      ...(target === "kubernetes" ? { relativeWorkdir: cwd } : { cwd }),
    });
  }
  return agents;
}
