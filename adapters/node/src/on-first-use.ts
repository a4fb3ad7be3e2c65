import { createRequire } from "node:module";

/**
 * Modules the adapter needs only when an operation runs (a child process, a worker thread), loaded
 * synchronously on that first use so importing the adapter stays cheap. (The CJS build gets import.meta.url
 * from tsup's shims: see tsup.config.ts.)
 */
const requireHere = createRequire(import.meta.url);

export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(specifier) as T);
}
