/**
 * Kubernetes objects as one YAML stream ("---" between documents), keys in the order they were built. The YAML
 * library is loaded here, on first use, not when the supervisor is: a supervising process never needs it.
 */
export async function yamlDocuments(objects: readonly unknown[]): Promise<string> {
  const { stringify } = await import("yaml");
  return objects.map((object) => `---\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");
}
