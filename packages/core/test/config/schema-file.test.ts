import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import {
  MANIFEST_SCHEMA_ID,
  manifestJsonSchemaText,
  resolveRuntimeConfig,
  validateManifest,
} from "../../src/config/index.ts";
import { readFile } from "./fs-platform.ts";

const FILE = fileURLToPath(new URL("../../schema/manifest.schema.json", import.meta.url));

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  $schema?: string;
  $id?: string;
  additionalProperties?: boolean;
  type?: unknown;
};

describe("published JSON Schema", () => {
  it("the committed file is what scripts/generate-schema.ts writes from the manifest schema", async () => {
    expect(await readFile(FILE, "utf8")).toBe(manifestJsonSchemaText());
  });

  it("a package that depends on @aral/core resolves it as @aral/core/schema/manifest.schema.json (an export)", () => {
    const fromAral = createRequire(new URL("../../../aral/package.json", import.meta.url));
    expect(fromAral.resolve("@aral/core/schema/manifest.schema.json")).toBe(FILE);
  });

  it("carries $schema and $id, and is strict about unknown keys", async () => {
    const schema = JSON.parse(await readFile(FILE, "utf8")) as JsonSchema;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe(MANIFEST_SCHEMA_ID);
    expect(schema.additionalProperties).toBe(false);
    expect(
      schema.properties!.layers!.properties!.runtime!.properties!.resources!.properties!.cpu!.additionalProperties,
    ).toBe(false);
  });

  it("its leaf defaults are the defaults the runtime resolves", async () => {
    const schema = JSON.parse(await readFile(FILE, "utf8")) as JsonSchema;
    const runtime = schema.properties!.layers!.properties!.runtime!;
    const resolved = resolveRuntimeConfig() as unknown as Record<string, unknown>;
    let compared = 0;
    const walk = (node: JsonSchema, value: unknown, path: string) => {
      if (node.properties) {
        for (const [key, child] of Object.entries(node.properties))
          walk(child, (value as Record<string, unknown> | undefined)?.[key], `${path}.${key}`);
        return;
      }
      if (node.default === undefined) return;
      const expected = node.default === "enabled" ? true : node.default === "disabled" ? false : node.default;
      expect(value, path).toEqual(expected);
      compared++;
    };
    walk(runtime, resolved, "runtime");
    expect(compared).toBeGreaterThan(30);
  });

  it("a manifest may point $schema at the file", () => {
    expect(
      validateManifest({ $schema: "./node_modules/@aral/core/schema/manifest.schema.json", aral: { version: "1.0" } })
        .$schema,
    ).toContain("manifest.schema.json");
  });
});
