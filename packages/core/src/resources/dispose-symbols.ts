/**
 * Symbol.dispose / Symbol.asyncDispose for `using` / `await using`. Runtimes that lack them get the
 * registry symbols that TypeScript's and esbuild's downlevel helpers fall back to, so leases stay disposable.
 */
function ensureSymbol(name: "dispose" | "asyncDispose"): symbol {
  const existing = (Symbol as unknown as Record<string, symbol | undefined>)[name];
  if (typeof existing === "symbol") return existing;
  const created = Symbol.for(`Symbol.${name}`);
  try {
    Object.defineProperty(Symbol, name, { value: created, writable: false, enumerable: false, configurable: false });
  } catch {
    // A frozen Symbol constructor: the registry symbol still works with downlevel helpers.
  }
  return created;
}

export const disposeSymbol: typeof Symbol.dispose = ensureSymbol("dispose") as typeof Symbol.dispose;
export const asyncDisposeSymbol: typeof Symbol.asyncDispose = ensureSymbol(
  "asyncDispose",
) as typeof Symbol.asyncDispose;
