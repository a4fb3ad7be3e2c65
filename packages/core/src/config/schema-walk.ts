import type { z } from "zod";
import type { PathSegment } from "./path.ts";

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  element?: AnySchema;
  shape?: Record<string, AnySchema>;
  options?: readonly AnySchema[];
}

function def(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/** The schema itself and every wrapper inside it down to the core type (default → optional → pipe.in → …). */
export function layers(schema: AnySchema): AnySchema[] {
  const chain: AnySchema[] = [schema];
  let current = schema;
  for (;;) {
    const d = def(current);
    const next = WRAPPERS.has(d.type) ? d.innerType : d.type === "pipe" ? d.in : undefined;
    if (!next) return chain;
    chain.push(next);
    current = next;
  }
}

/** The core type under every wrapper. */
export function unwrap(schema: AnySchema): AnySchema {
  const chain = layers(schema);
  return chain[chain.length - 1]!;
}

export function typeOf(schema: AnySchema): string {
  return def(unwrap(schema)).type;
}

export function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const core = def(unwrap(schema));
  return core.type === "object" ? core.shape : undefined;
}

export function arrayElement(schema: AnySchema): AnySchema | undefined {
  const core = def(unwrap(schema));
  return core.type === "array" ? core.element : undefined;
}

export function unionOptions(schema: AnySchema): readonly AnySchema[] {
  const core = def(unwrap(schema));
  return core.type === "union" ? (core.options ?? []) : [];
}

/** The schema that validates the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt(root: AnySchema, path: readonly PathSegment[]): AnySchema | undefined {
  let current: AnySchema | undefined = root;
  for (const segment of path) {
    if (!current) return undefined;
    if (typeof segment === "number") {
      current = arrayElement(current);
    } else {
      const shape = objectShape(current);
      current = shape && Object.prototype.hasOwnProperty.call(shape, segment) ? shape[segment] : undefined;
    }
  }
  return current;
}
