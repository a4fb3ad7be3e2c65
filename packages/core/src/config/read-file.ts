import type { Platform } from "@aral/platform";
import { ConfigError } from "./errors.ts";
import { type ManifestFormat, formatForPath } from "./formats.ts";

export interface ReadConfigFileOptions {
  /** What the file is, for "expected a readable ..." (default "manifest file"). */
  what?: string;
  /** The environment variable the path came from (ARAL_MANIFEST): named in every issue. */
  variable?: string;
}

/**
 * A configuration file's text and its format, picked by extension. An unsupported extension or a file that cannot
 * be read is a ConfigError ("unreadable" carries the PlatformError, e.g. NotFound, as its cause), so every reader
 * of manifests and fleet files reports both the same way.
 */
export async function readConfigFile(
  platform: Pick<Platform, "fs">,
  path: string,
  options: ReadConfigFileOptions = {},
): Promise<{ text: string; format: ManifestFormat }> {
  const fromVariable = options.variable === undefined ? {} : { variable: options.variable };
  let format: ManifestFormat;
  try {
    format = formatForPath(path, options.what);
  } catch (error) {
    if (!(error instanceof ConfigError) || options.variable === undefined) throw error;
    throw new ConfigError(
      error.code,
      error.issues.map((issue) => ({ ...issue, ...fromVariable })),
      { source: path },
    );
  }
  try {
    return { text: await platform.fs.readTextFile(path), format };
  } catch (error) {
    // A PlatformError's message starts with its code ("NotFound: readFile '...' failed: ...").
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      "unreadable",
      [
        {
          path: "",
          value: path,
          expected: `a readable ${options.what ?? "manifest file"}`,
          message: `cannot read the file: ${reason}`,
          ...fromVariable,
        },
      ],
      { source: path, cause: error },
    );
  }
}
