import { parseManifestText, readConfigFile, resolveRuntimeConfig, validateManifest } from "@aral/core/config";
import type { Platform } from "@aral/platform";
import { SUPERVISED_RUNTIMES, type SupervisedRuntime } from "../runtime-command.ts";
import { checkAgentName, nameFromPath, type ExportAgent } from "./agent.ts";
import { EXPORTABLE_ENV_NAME } from "./container-env.ts";
import { ExportError } from "./errors.ts";

export interface ManifestAgentOptions {
  name?: string;
  entry?: string;
  runtime?: SupervisedRuntime;
  args?: readonly string[];
  allowEnv?: readonly string[];
  instances?: number;
}

/**
 * The agent of one manifest file, read through the Platform: a manifest that does not parse or validate
 * throws core's ConfigError (the same issues `aral check` prints). The exporting machine's ARAL_* variables
 * are not applied: what is deployed is the manifest.
 */
export async function loadManifestAgent(
  platform: Pick<Platform, "fs">,
  path: string,
  options: ManifestAgentOptions = {},
): Promise<ExportAgent> {
  const { text, format } = await readConfigFile(platform, path);
  const raw = await parseManifestText(text, format, path);
  const config = resolveRuntimeConfig(validateManifest(raw, path), {});
  const written = (raw as { layers?: { runtime?: unknown } }).layers?.runtime;
  const runtime = options.runtime ?? (config.platform === "auto" ? "node" : config.platform);
  if (!SUPERVISED_RUNTIMES.includes(runtime))
    throw new ExportError(
      "runtime",
      `--runtime must be one of ${SUPERVISED_RUNTIMES.join(", ")}, got ${JSON.stringify(runtime)}`,
    );
  if (options.runtime !== undefined && config.platform !== "auto" && config.platform !== options.runtime) {
    throw new ExportError(
      "runtime",
      `--runtime ${options.runtime} contradicts the manifest's platform "${config.platform}" (layers.runtime.platform)`,
    );
  }
  const badName = options.allowEnv?.find((variable) => !EXPORTABLE_ENV_NAME.test(variable));
  if (badName !== undefined)
    throw new ExportError(
      "allow-env",
      `--allow-env needs a variable name (letters, digits, _; not starting with a digit), got ${JSON.stringify(badName)}`,
    );
  const fileName = path.slice(path.lastIndexOf("/") + 1);
  return {
    name: checkAgentName(options.name ?? nameFromPath(fileName)),
    runtime,
    entry: options.entry ?? "agent.ts",
    args: options.args ?? [],
    config,
    written,
    manifest: { path, fileName, text },
    allowEnv: options.allowEnv ?? [],
    instances: options.instances ?? 1,
  };
}
