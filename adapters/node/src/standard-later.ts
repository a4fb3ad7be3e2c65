/**
 * Node's Request and Response classes live in undici, which Node loads on the first touch of either global:
 * ~95 ms of CPU on Node 24 (crypto, tls and zlib come with it). The adapter's own request and response classes
 * (lazy-request.ts, light-response.ts) answer what a handler usually asks without them; these two helpers keep
 * the rest of the standard behaviour within reach, loading undici only when something asks for it.
 */

/** The methods Request and Response share (the Body mixin's, clone(), util.inspect's), the same on Node 20-24. */
export const BODY_AND_CLONE_METHODS: readonly PropertyKey[] = [
  "clone",
  "blob",
  "arrayBuffer",
  "text",
  "json",
  "formData",
  "bytes",
  Symbol.for("nodejs.util.inspect.custom"),
];

/**
 * Getters and methods of the standard prototype (`standardPrototype()`, asked for only when one runs), hung on
 * `proto` and run on the standard object behind `this` (`realOf`). Looked up on the standard prototype, not on that
 * object: it may carry own overrides that call back into the prototype's member (core's fetch instrumentation does).
 */
export function delegateByName(
  proto: object,
  getters: readonly PropertyKey[],
  methods: readonly PropertyKey[],
  realOf: (self: object) => object,
  standardPrototype: () => object,
): void {
  for (const key of getters) {
    Object.defineProperty(proto, key, {
      get(this: object) {
        return Reflect.get(standardPrototype(), key, realOf(this));
      },
      configurable: true,
      enumerable: true,
    });
  }
  for (const key of methods) {
    Object.defineProperty(proto, key, {
      value(this: object, ...args: unknown[]) {
        const real = realOf(this);
        return (Reflect.get(standardPrototype(), key) as (...a: unknown[]) => unknown).apply(real, args);
      },
      configurable: true,
      writable: true,
      enumerable: typeof key === "string",
    });
  }
}

/**
 * Makes `standardPrototype()` the prototype of `proto` without calling it yet: in between, a stand-in sits in the
 * chain (an empty object behind a Proxy) that answers every lookup as Object.prototype does and asks for the
 * standard prototype only when something walks the chain past it (`instanceof`, Object.getPrototypeOf). Returns the function that puts the
 * standard prototype in place (idempotent; the caller runs it when it loads the standard class anyway).
 */
export function standardPrototypeLater(proto: object, standardPrototype: () => object): () => void {
  let placed = false;
  const place = (): object => {
    const standard = standardPrototype();
    if (!placed) {
      placed = true;
      Object.setPrototypeOf(proto, standard);
    }
    return standard;
  };
  // Only getPrototypeOf is trapped: every lookup goes to the empty target and on to Object.prototype without a
  // trap call (a Response's `then` is looked up at least once per request when a handler is async)
  const standIn = new Proxy({}, { getPrototypeOf: () => place() });
  Object.setPrototypeOf(proto, standIn);
  return () => void place();
}
