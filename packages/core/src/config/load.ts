import type { Platform } from "@aral/platform";
import { parseManifest } from "./parse.ts";
import { readConfigFile } from "./read-file.ts";
import type { Manifest } from "./schema.ts";

/**
 * Reads a manifest file through the platform's fs, picks the format by extension, parses and validates it.
 * A file that cannot be read is a ConfigError "unreadable" whose cause is the PlatformError (e.g. NotFound);
 * `options.variable` names the environment variable the path came from (ARAL_MANIFEST) in that error and in an
 * unsupported extension's.
 */
export async function loadManifest(
  platform: Pick<Platform, "fs">,
  path: string,
  options: { variable?: string } = {},
): Promise<Manifest> {
  const { text, format } = await readConfigFile(platform, path, options);
  return parseManifest(text, format, path);
}
