import { ConfigError } from "./errors.ts";

export type ManifestFormat = "json" | "jsonc" | "yaml";

export const MANIFEST_FORMATS: readonly ManifestFormat[] = ["json", "jsonc", "yaml"];

/** Extension -> format. `.json5` is deliberately absent: JSON5 is more than comments and trailing commas. */
const BY_EXTENSION: Record<string, ManifestFormat> = {
  ".json": "json",
  ".jsonc": "jsonc",
  ".yaml": "yaml",
  ".yml": "yaml",
};

export const MANIFEST_EXTENSIONS: readonly string[] = Object.keys(BY_EXTENSION);

/**
 * The format of a manifest (or fleet) file by its extension (case-insensitive); anything else is a ConfigError
 * "unsupported-format" naming `what` the file is.
 */
export function formatForPath(path: string, what = "manifest file"): ManifestFormat {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf(".");
  const extension = dot <= 0 ? "" : name.slice(dot).toLowerCase();
  const format = Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension] : undefined;
  if (format) return format;
  throw new ConfigError(
    "unsupported-format",
    [
      {
        path: "",
        value: extension === "" ? name : extension,
        expected: `a file ending in ${MANIFEST_EXTENSIONS.join(", ")}`,
        message:
          extension === ""
            ? `the ${what} has no extension`
            : `unsupported ${what} extension ${JSON.stringify(extension)}`,
      },
    ],
    { source: path },
  );
}
