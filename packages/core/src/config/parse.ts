import { ConfigError } from "./errors.ts";
import { MANIFEST_FORMATS, type ManifestFormat } from "./formats.ts";
import { parseJson } from "./jsonc.ts";
import type { Manifest } from "./schema.ts";
import { validateManifest } from "./validate.ts";

/**
 * Parses manifest text without validating it: JSON (strict), JSONC (comments, trailing commas) or YAML.
 * Asynchronous because the YAML library is loaded on first use only: JSON manifests never pay for it.
 */
export async function parseManifestText(text: string, format: ManifestFormat, source?: string): Promise<unknown> {
  const sourceOption = source === undefined ? {} : { source };
  switch (format) {
    case "json":
      return parseJson(text, { comments: false, trailingCommas: false, ...sourceOption });
    case "jsonc":
      return parseJson(text, { comments: true, trailingCommas: true, ...sourceOption });
    case "yaml":
      return (await import("./yaml.ts")).parseYaml(text, source);
    default:
      throw new ConfigError(
        "unsupported-format",
        [
          {
            path: "",
            value: format,
            expected: `one of ${MANIFEST_FORMATS.join(", ")}`,
            message: `unknown manifest format ${JSON.stringify(format)}`,
          },
        ],
        sourceOption,
      );
  }
}

/** Parses and validates manifest text; defaults are filled in. Every failure is a ConfigError. */
export async function parseManifest(text: string, format: ManifestFormat, source?: string): Promise<Manifest> {
  return validateManifest(await parseManifestText(text, format, source), source);
}
