/**
 * node:* modules the adapter needs only when an operation runs, loaded on that first use: on Bun 1.4.5 importing
 * node:net costs ~20 ms and 6 MiB at start, node:fs or node:fs/promises ~8 ms and 3 MiB, node:path ~4 ms -
 * for an agent that never opens a Unix socket or makes a directory. process.getBuiltinModule is synchronous.
 */
export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= process.getBuiltinModule(specifier) as T);
}

export const nodeFs = onFirstUse<typeof import("node:fs")>("node:fs");
export const fsPromises = onFirstUse<typeof import("node:fs/promises")>("node:fs/promises");
export const nodeOs = onFirstUse<typeof import("node:os")>("node:os");
export const nodeNet = onFirstUse<typeof import("node:net")>("node:net");
