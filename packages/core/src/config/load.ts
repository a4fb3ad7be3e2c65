import type { Platform } from "@aral/platform";
import { ConfigError } from "./errors.ts";
import { formatForPath } from "./formats.ts";
import { parseManifest } from "./parse.ts";
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
  const fromVariable = options.variable === undefined ? {} : { variable: options.variable };
  let format: ReturnType<typeof formatForPath>;
  try {
    format = formatForPath(path);
  } catch (error) {
    if (!(error instanceof ConfigError) || options.variable === undefined) throw error;
    throw new ConfigError(
      error.code,
      error.issues.map((issue) => ({ ...issue, ...fromVariable })),
      { source: path },
    );
  }
  let text: string;
  try {
    text = await platform.fs.readTextFile(path);
  } catch (error) {
    // A PlatformError's message starts with its code ("NotFound: readFile '...' failed: ...").
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      "unreadable",
      [
        {
          path: "",
          value: path,
          expected: "a readable manifest file",
          message: `cannot read the file: ${reason}`,
          ...fromVariable,
        },
      ],
      { source: path, cause: error },
    );
  }
  return parseManifest(text, format, path);
}
