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

const fsPromisesModule = onFirstUse<typeof import("node:fs/promises")>("node:fs/promises");

/**
 * node:fs/promises, loaded when one of its functions is first looked up: on Node 24 the module loads readline
 * and the whole stream stack (~8 ms), which an agent that touches no file never needs. Its functions do not
 * use `this`, so handing them out unbound is safe.
 */
export const fsPromises: typeof import("node:fs/promises") = new Proxy({} as typeof import("node:fs/promises"), {
  get: (_target, key) => Reflect.get(fsPromisesModule(), key),
});
