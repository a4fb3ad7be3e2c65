import { z } from "zod";
import { manifestSchema } from "./schema.ts";

/** Where the published schema lives once @aral/core is on npm; manifests point `$schema` here or at node_modules. */
export const MANIFEST_SCHEMA_ID = "https://unpkg.com/@aral/core/schema/manifest.schema.json";

/** The JSON Schema (draft 2020-12) of a manifest as written, generated from the zod schema. */
export function manifestJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(manifestSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: MANIFEST_SCHEMA_ID, title: "ARAL agent manifest", ...rest };
}

/** The file's exact text: two-space JSON with a final newline. */
export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
