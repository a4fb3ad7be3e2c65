import { createRequire } from "node:module";

/**
 * Modules the adapter needs only when an operation runs (a child process, a worker thread), loaded
 * synchronously on that first use so importing the adapter stays cheap. In the CJS build import.meta
 * is empty, so __filename locates this file.
 */
const requireHere = createRequire(typeof import.meta.url === "string" ? import.meta.url : __filename);

export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(specifier) as T);
}
