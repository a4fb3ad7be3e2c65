import { SupervisorConfigError } from "../errors.ts";
import { runtimeCommand } from "../runtime-command.ts";
import type { ExportAgent } from "./agent.ts";
import { ExportError } from "./errors.ts";

/** Whether `path` is `root` or lies below it (both absolute). */
export function isWithin(root: string, path: string): boolean {
  const base = root.replace(/\/+$/, "");
  return path === base || base === "" || path.startsWith(`${base}/`);
}

/**
 * The command line of an entry agent, as `aral run` builds it (runtimeCommand), for an export: a path Deno's
 * permission flags cannot carry (they separate paths with commas) is an ExportError naming the manifest field
 * or the manifest file, not runtimeCommand's SupervisorConfigError.
 */
export function exportRuntimeCommand(
  agent: ExportAgent,
  entry: string,
  options: { manifestPath: string | undefined; execPath?: string | undefined },
): string[] {
  const runtime = agent.runtime!;
  const { config, name } = agent;
  if (runtime === "deno") {
    const { persistent, ephemeral } = config.resources.storage;
    const fields: [string, string | undefined][] = [
      ["layers.runtime.resources.storage.persistent", persistent],
      ["layers.runtime.resources.storage.ephemeral", ephemeral],
      ["layers.runtime.logging.audit.path", config.logging.audit?.path],
      ["layers.runtime.logging.audit.keyFile", config.logging.audit?.keyFile],
    ];
    for (const [field, path] of fields) {
      if (path?.includes(","))
        throw new ExportError(
          field,
          `agent ${name}: ${field} ${JSON.stringify(path)} contains a comma, which Deno's --allow-read/--allow-write flags cannot express (they separate paths with commas): choose a path without one`,
          "input",
        );
    }
    if (options.manifestPath?.includes(","))
      throw new ExportError(
        "manifest",
        `agent ${name}: the manifest's path ${JSON.stringify(options.manifestPath)} contains a comma, which Deno's --allow-read flag cannot express (it separates paths with commas): rename or move the manifest`,
        "input",
      );
  }
  try {
    return runtimeCommand(runtime, entry, {
      manifest: config,
      args: agent.args,
      ...(options.execPath !== undefined ? { execPaths: { [runtime]: options.execPath } } : {}),
      ...(options.manifestPath === undefined ? {} : { extraReadPaths: [options.manifestPath] }),
    });
  } catch (error) {
    if (!(error instanceof SupervisorConfigError)) throw error;
    throw new ExportError(error.option, `agent ${name}: ${error.message.replace(/^runtimeCommand: /, "")}`, "input");
  }
}
