import { ConfigError } from "./errors.ts";
import { MANIFEST_FORMATS, type ManifestFormat } from "./formats.ts";
import { lineAndColumn, parseJson } from "./jsonc.ts";
import type { Manifest } from "./schema.ts";
import { validateManifest } from "./validate.ts";

/**
 * Parses manifest text without validating it: JSON (strict), JSONC (comments, trailing commas) or YAML.
 * Asynchronous because the YAML library is loaded on first use only: JSON manifests never pay for it.
 */
export async function parseManifestText(text: string, format: ManifestFormat, source?: string): Promise<unknown> {
  const sourceOption = source === undefined ? {} : { source };
  if (MANIFEST_FORMATS.includes(format)) checkEncoding(text, sourceOption);
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

/**
 * Text that was not UTF-8 on disk, refused with what to do about it instead of a baffling parse error: a UTF-16 file
 * (what Windows PowerShell 5 writes with `>` or Out-File) decodes to U+FFFD U+FFFD for its byte-order mark and a NUL
 * after every ASCII character. NUL is never valid in JSON or YAML text, so any NUL is refused the same way.
 */
function checkEncoding(text: string, sourceOption: { source?: string }): void {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const utf16Mark = text.charCodeAt(start) === 0xfffd && text.charCodeAt(start + 1) === 0xfffd;
  const nul = text.indexOf("\0");
  if (!utf16Mark && nul === -1) return;
  const offset = utf16Mark ? start : nul;
  const { line, column } = lineAndColumn(text, offset);
  throw new ConfigError(
    "syntax",
    [
      {
        path: "",
        value: text.slice(offset, offset + 20),
        expected: "UTF-8 text",
        message: utf16Mark
          ? "the file is not UTF-8 text: it starts with bytes that are not UTF-8, such as the byte-order mark of UTF-16 (FF FE or FE FF); save it as UTF-8"
          : "the text holds a NUL character, which JSON and YAML never allow: a UTF-16 file has one after every ASCII character; save it as UTF-8",
        line,
        column,
      },
    ],
    sourceOption,
  );
}
