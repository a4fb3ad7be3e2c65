import { stringify } from "yaml";

/** Kubernetes objects as one YAML stream ("---" between documents), keys in the order they were built. */
export function yamlDocuments(objects: readonly unknown[]): string {
  return objects.map((object) => `---\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");
}
