import { ConfigError } from "./errors.ts";
import { MANIFEST_FORMATS, type ManifestFormat } from "./formats.ts";
import { parseJson } from "./jsonc.ts";
import type { Manifest } from "./schema.ts";
import { validateManifest } from "./validate.ts";
import { parseYaml } from "./yaml.ts";

/** Parses manifest text without validating it: JSON (strict), JSONC (comments, trailing commas) or YAML. */
export function parseManifestText(text: string, format: ManifestFormat, source?: string): unknown {
  const sourceOption = source === undefined ? {} : { source };
  switch (format) {
    case "json":
      return parseJson(text, { comments: false, trailingCommas: false, ...sourceOption });
    case "jsonc":
      return parseJson(text, { comments: true, trailingCommas: true, ...sourceOption });
    case "yaml":
      return parseYaml(text, source);
    default:
      throw new ConfigError(
        "unsupported-format",
        [{ path: "", value: format, expected: `one of ${MANIFEST_FORMATS.join(", ")}`, message: `unknown manifest format ${JSON.stringify(format)}` }],
        sourceOption,
      );
  }
}

/** Parses and validates manifest text; defaults are filled in. Every failure is a ConfigError. */
export function parseManifest(text: string, format: ManifestFormat, source?: string): Manifest {
  return validateManifest(parseManifestText(text, format, source), source);
}
