// Validates a Sandbox object against the vendored agent-sandbox CRD (agent-sandbox-crd.yaml), as the API
// server would: unknown fields are errors here (the server would silently prune them), and the elided PodSpec
// subtree is checked with kubernetes-models' PodSpec (the official OpenAPI schema of the same type).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { PodSpec } from "kubernetes-models/v1/PodSpec";
import { parse } from "yaml";
import { here } from "./export-fixtures.ts";

type Schema = Record<string, unknown>;

const crd = parse(readFileSync(join(here, "agent-sandbox-crd.yaml"), "utf8")) as {
  spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
};
export const SANDBOX_API_VERSION = `${crd.spec.group}/${crd.spec.versions[0]!.name}`;

/** OpenAPI v3 structural schema → JSON Schema for ajv: closed objects, Kubernetes extensions dropped. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key.startsWith("x-kubernetes-") || key === "x-aral-elided") continue;
    if (key === "format" && (value === "int32" || value === "int64" || value === "date-time")) continue;
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v)]))
        : toJsonSchema(value);
  }
  const source = node as Schema;
  if (
    source["type"] === "object" &&
    source["properties"] !== undefined &&
    source["additionalProperties"] === undefined &&
    !source["x-kubernetes-preserve-unknown-fields"] &&
    !source["x-aral-elided"]
  ) {
    out["additionalProperties"] = false;
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSandbox = ajv.compile(toJsonSchema(crd.spec.versions[0]!.schema.openAPIV3Schema) as Schema);

/** Every problem of a Sandbox object (empty when valid). */
export function sandboxProblems(object: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (object["apiVersion"] !== SANDBOX_API_VERSION)
    problems.push(`apiVersion ${String(object["apiVersion"])} is not ${SANDBOX_API_VERSION}`);
  if (object["kind"] !== crd.spec.names.kind)
    problems.push(`kind ${String(object["kind"])} is not ${crd.spec.names.kind}`);
  if (!validateSandbox(object))
    problems.push(
      ...(validateSandbox.errors ?? []).map(
        (error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
      ),
    );
  const podSpec = (object["spec"] as { podTemplate?: { spec?: unknown } } | undefined)?.podTemplate?.spec;
  try {
    new PodSpec(podSpec as never).validate();
  } catch (error) {
    problems.push(`spec.podTemplate.spec: ${error instanceof Error ? error.message : String(error)}`);
  }
  return problems;
}
