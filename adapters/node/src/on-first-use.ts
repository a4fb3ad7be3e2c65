/**
 * Modules the adapter needs only when an operation runs (a child process, a worker thread, a Unix socket),
 * loaded synchronously on that first use so importing the adapter stays cheap. Built-ins come from
 * process.getBuiltinModule, so not even node:module is loaded at import. (The CJS build gets import.meta.url
 * from tsup's shims: see tsup.config.ts.)
 */
let requireHere: NodeJS.Require | undefined;

function load(specifier: string): unknown {
  if (specifier.startsWith("node:")) return process.getBuiltinModule(specifier);
  requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url);
  return requireHere(specifier);
}

export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(specifier) as T);
}
