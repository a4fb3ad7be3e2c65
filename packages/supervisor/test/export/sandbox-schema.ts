// Validates a Sandbox object (agents.x-k8s.io/v1alpha1, kubernetes-sigs/agent-sandbox) as the API server would:
// the Sandbox's own fields are described here from the API's published field list (names, types, bounds, enums),
// closed so that an unknown field is an error (the server would silently prune it); the standard Kubernetes types
// inside it (PodSpec, PersistentVolumeClaimSpec) are checked with kubernetes-models, i.e. the official
// OpenAPI schemas. The CRD file itself is not copied into this repository.
import { Ajv } from "ajv";
import { PersistentVolumeClaimSpec } from "kubernetes-models/v1/PersistentVolumeClaimSpec";
import { PodSpec } from "kubernetes-models/v1/PodSpec";

export const SANDBOX_API_VERSION = "agents.x-k8s.io/v1alpha1";

const stringMap = { type: "object", additionalProperties: { type: "string" } };
const templateMetadata = {
  type: "object",
  properties: { labels: stringMap, annotations: stringMap },
  additionalProperties: false,
};

const sandboxSchema = {
  type: "object",
  properties: {
    apiVersion: { const: SANDBOX_API_VERSION },
    kind: { const: "Sandbox" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        podTemplate: {
          type: "object",
          properties: { metadata: templateMetadata, spec: { type: "object" } },
          required: ["spec"],
          additionalProperties: false,
        },
        replicas: { type: "integer", minimum: 0, maximum: 1 },
        shutdownPolicy: { enum: ["Delete", "Retain"] },
        shutdownTime: { type: "string", format: "date-time" },
        volumeClaimTemplates: {
          type: "array",
          items: {
            type: "object",
            properties: {
              metadata: {
                type: "object",
                properties: { name: { type: "string" }, labels: stringMap, annotations: stringMap },
                additionalProperties: false,
              },
              spec: { type: "object" },
            },
            required: ["spec"],
            additionalProperties: false,
          },
        },
      },
      required: ["podTemplate"],
      additionalProperties: false,
    },
  },
  required: ["apiVersion", "kind", "spec"],
  additionalProperties: false,
};

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validateSandbox = ajv.compile(sandboxSchema);

type Claim = { spec?: unknown };
type SandboxShape = { spec?: { podTemplate?: { spec?: unknown }; volumeClaimTemplates?: Claim[] } };

function kubernetesProblem(path: string, check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return `${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Every problem of a Sandbox object (empty when valid). */
export function sandboxProblems(object: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!validateSandbox(object))
    problems.push(
      ...(validateSandbox.errors ?? []).map(
        (error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
      ),
    );
  const sandbox = object as SandboxShape;
  const checks = [
    kubernetesProblem("spec.podTemplate.spec", () => new PodSpec(sandbox.spec?.podTemplate?.spec as never).validate()),
    ...(sandbox.spec?.volumeClaimTemplates ?? []).map((claim, index) =>
      kubernetesProblem(`spec.volumeClaimTemplates[${index}].spec`, () =>
        new PersistentVolumeClaimSpec(claim.spec as never).validate(),
      ),
    ),
  ];
  for (const problem of checks) if (problem !== undefined) problems.push(problem);
  return problems;
}
