/**
 * node:* modules the adapter needs only when an operation runs, loaded on that first use through
 * process.getBuiltinModule (synchronous). Imported statically, Deno 2.9 paid for them at every start: measured
 * against a bare `deno run`, the module using node:fs + node:fs/promises cost ~+100 ms CPU and +13 MiB, the one
 * using node:process ~+50 ms and +10 MiB, node:worker_threads ~+60 ms and +8 MiB.
 */
function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= process.getBuiltinModule(specifier) as T);
}

export const nodeFs = onFirstUse<typeof import("node:fs")>("node:fs");
export const fsPromises = onFirstUse<typeof import("node:fs/promises")>("node:fs/promises");
export const nodeProcess = onFirstUse<typeof import("node:process")>("node:process");
export const workerThreads = onFirstUse<typeof import("node:worker_threads")>("node:worker_threads");
