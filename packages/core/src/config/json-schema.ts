import type { Field } from "./fields.ts";
import { manifestSchema } from "./schema.ts";

/** Where the published schema lives once @aral/core is on npm; manifests point `$schema` here or at node_modules. */
export const MANIFEST_SCHEMA_ID = "https://unpkg.com/@aral/core/schema/manifest.schema.json";

type JsonSchema = Record<string, unknown>;

/** One field as JSON Schema (draft 2020-12), describing the input as written: defaults and all. */
function toJsonSchema(field: Field): JsonSchema {
  const head: JsonSchema = field.default === undefined ? {} : { default: field.default };
  const tail: JsonSchema = field.description === undefined ? {} : { description: field.description };
  switch (field.kind) {
    case "object": {
      const required = Object.entries(field.fields)
        .filter(([, child]) => child.default === undefined && !child.optional)
        .map(([key]) => key);
      const properties = Object.fromEntries(
        Object.entries(field.fields).map(([key, child]) => [key, toJsonSchema(child)]),
      );
      return {
        ...head,
        type: "object",
        properties,
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
        ...tail,
      };
    }
    case "number": {
      const bounds: JsonSchema = {};
      if (field.minimum !== undefined) bounds.minimum = field.minimum;
      if (field.exclusiveMinimum !== undefined) bounds.exclusiveMinimum = field.exclusiveMinimum;
      if (field.maximum !== undefined) bounds.maximum = field.maximum;
      if (field.exclusiveMaximum !== undefined) bounds.exclusiveMaximum = field.exclusiveMaximum;
      return { ...head, type: field.integer ? "integer" : "number", ...bounds, ...tail };
    }
    case "string":
      return {
        ...head,
        type: "string",
        ...(field.minLength !== undefined ? { minLength: field.minLength } : {}),
        ...(field.pattern ? { pattern: field.pattern.source } : {}),
        ...tail,
      };
    case "boolean":
      return { ...head, type: "boolean", ...tail };
    case "enum":
      return { ...head, type: "string", enum: [...field.values], ...tail };
    case "toggle":
      return { ...head, ...tail, anyOf: [{ type: "string", enum: ["enabled", "disabled"] }, { type: "boolean" }] };
    case "quantity":
      return { ...head, examples: [...field.examples], ...tail, type: ["string", "number"] };
    case "array":
      return { ...head, type: "array", items: toJsonSchema(field.element), ...tail };
  }
}

/** The JSON Schema (draft 2020-12) of a manifest as written, generated from the manifest schema. */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: MANIFEST_SCHEMA_ID,
    title: "ARAL agent manifest",
    ...toJsonSchema(manifestSchema),
  };
}

/** The file's exact text: two-space JSON with a final newline. */
export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
