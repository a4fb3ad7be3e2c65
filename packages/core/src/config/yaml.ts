import { isMap, isScalar, parseAllDocuments, visit } from "yaml";
import type { ConfigIssue } from "./errors.ts";
import { ConfigError } from "./errors.ts";
import { lineAndColumn } from "./jsonc.ts";

/**
 * YAML 1.2 (core schema) to plain data. Duplicate keys, several documents and any other parse error are
 * syntax errors with line/column; aliases are expanded with the library's limit (no billion-laughs).
 * The yaml library defines a `__proto__` key as an own property, so it cannot pollute.
 */
export function parseYaml(text: string, source?: string): unknown {
  const documents = parseAllDocuments(text, {
    schema: "core",
    // The library's own check compares each key with every earlier one (100k keys: minutes of CPU with the event loop
    // blocked); duplicateKeys() below does it with a Set.
    uniqueKeys: false,
    merge: false,
    prettyErrors: false,
    logLevel: "silent",
  });
  const sourceOption = source === undefined ? {} : { source };
  if (documents.length === 0) return null; // an empty stream (no document at all) is YAML's null, like an empty file
  if (documents.length > 1) {
    const { line, column } = lineAndColumn(text, documents[1]!.range[0]);
    throw new ConfigError(
      "syntax",
      [
        {
          path: "",
          value: text.slice(documents[1]!.range[0], documents[1]!.range[0] + 20).split("\n")[0]!,
          expected: "exactly one YAML document",
          message: "the file holds more than one YAML document",
          line,
          column,
        },
      ],
      sourceOption,
    );
  }
  const document = documents[0]!;
  if (document.errors.length > 0) {
    throw new ConfigError(
      "syntax",
      document.errors.map((error) => {
        const { line, column } = lineAndColumn(text, error.pos[0]);
        const near = text.slice(error.pos[0], Math.min(error.pos[1], error.pos[0] + 20)).split("\n")[0]!;
        return {
          path: "",
          value: near,
          expected: "valid YAML",
          message: firstLine(error.message),
          line,
          column,
        };
      }),
      sourceOption,
    );
  }
  const duplicates = duplicateKeys(document, text);
  if (duplicates.length > 0) throw new ConfigError("syntax", duplicates, sourceOption);
  try {
    const value = document.toJS({ maxAliasCount: 100 }) as unknown;
    // An empty file is `null` in YAML; report it like any other non-object root.
    return value;
  } catch (error) {
    throw new ConfigError(
      "syntax",
      [{ path: "", value: "", expected: "valid YAML", message: firstLine(String((error as Error).message ?? error)) }],
      {
        ...sourceOption,
        cause: error,
      },
    );
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** A key written twice in one mapping (same scalar value, as the library's uniqueKeys compares them), in one pass. */
function duplicateKeys(document: ReturnType<typeof parseAllDocuments>[number], text: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(document, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (!seen.has(value)) {
          seen.add(value);
          continue;
        }
        const offset = pair.key.range?.[0] ?? 0;
        const { line, column } = lineAndColumn(text, offset);
        issues.push({
          path: "",
          value: text.slice(offset, offset + 20).split("\n")[0]!,
          expected: "each key once per mapping",
          message: `Map keys must be unique: ${JSON.stringify(String(value))} is written twice`,
          line,
          column,
        });
      }
    },
  });
  return issues;
}
