import type { Platform } from "@aral/platform";
import { ConfigError } from "./errors.ts";
import { type ManifestFormat, formatForPath } from "./formats.ts";

/**
 * The largest manifest or fleet file read: far above any real one (every key is known, so a manifest is a few
 * kilobytes), far below what would take seconds of parsing with the event loop blocked.
 */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

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
  const tooLarge = (size: number, unit: string) =>
    new ConfigError(
      "unreadable",
      [
        {
          path: "",
          value: path,
          expected: `a ${options.what ?? "manifest file"} of at most ${MAX_CONFIG_FILE_BYTES} bytes`,
          message: `the file is larger than ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB (${size} ${unit}): not read (a manifest is a few kilobytes)`,
          ...fromVariable,
        },
      ],
      { source: path },
    );
  // A size known before reading spares reading a huge file; a stat that fails leaves the read to report the failure.
  const size = await platform.fs.stat?.(path).then(
    (info) => info.size,
    () => undefined,
  );
  if (size !== undefined && size > MAX_CONFIG_FILE_BYTES) throw tooLarge(size, "bytes");
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
          expected: `a readable ${options.what ?? "manifest file"}`,
          message: `cannot read the file: ${reason}`,
          ...fromVariable,
        },
      ],
      { source: path, cause: error },
    );
  }
  // a file that grew meanwhile, or one whose size stat does not tell (a FIFO, /proc)
  if (text.length > MAX_CONFIG_FILE_BYTES) throw tooLarge(text.length, "characters");
  return { text, format };
}
