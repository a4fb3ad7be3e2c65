import { copyBytes } from "./body-copies.ts";
import { BODY_AND_CLONE_METHODS, delegateByName, standardPrototypeLater } from "./standard-later.ts";

/**
 * A lightweight `Response` for Node's serve path. Node's own Response (undici) copies a byte body, wraps every
 * body in a byte stream and builds a Headers object at construction; a server reads it all back per request.
 * This class keeps what the handler passed (a string, a copy of the bytes, a stream, the status and a header
 * list) and builds the standard Response only when something other than the serve path needs it: `body`,
 * `text()`, `clone()`, ... delegate to that Response, so they behave exactly as the standard ones.
 * `instanceof Response` holds both ways: for these and for every standard Response (fetch's included).
 *
 * Installed as the global `Response` on the first `serveNode()` unless ARAL_NODE_LIGHT_RESPONSE=0; only on
 * Node itself (Deno's and Bun's Response are native already). Node's own Response is loaded only when
 * something needs it (see `installLightResponse`).
 */

/** What the serve path writes without a stream: the body as given, status line and headers as a flat list. */
export interface LightParts {
  status: number;
  statusText: string;
  /** lowercase name, value, name, value, ...; `content-type` included as the standard Response adds it */
  list: string[];
  body: string | Uint8Array | ReadableStream<Uint8Array> | null;
}

interface State extends LightParts {
  /** the serve path has sent the body: the standard Response made after this has a used body, as a served one would */
  served: boolean;
  /** made on first read of `headers` (from `list`), then the truth for the header list */
  headers: Headers | undefined;
  /** the standard Response, once something needed it */
  real: Response | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** a header value the standard Headers would reject (NUL, CR, LF) or that is no ByteString */
const BAD_VALUE = /[\0\r\n\u0100-\uffff]/;
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;
const NULL_BODY_STATUS = new Set([204, 205, 304]);
const TEXT_TYPE = "text/plain;charset=UTF-8";
const JSON_TYPE = "application/json";

function trimHttpWhitespace(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  const ws = (c: number) => c === 9 || c === 10 || c === 13 || c === 32;
  return ws(first) || ws(last) ? value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "") : value;
}

/**
 * The flat header list for a plain-object `init.headers`, or undefined when the standard Response must judge
 * (a name or value it may reject, a name given twice in different case, a non-string value).
 */
function listOf(record: object | undefined): string[] | undefined {
  const list: string[] = [];
  if (record === undefined) return list;
  if (Object.getPrototypeOf(record) !== Object.prototype) return undefined;
  for (const name of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[name];
    if (typeof value !== "string" || !TOKEN.test(name)) return undefined;
    const normalized = trimHttpWhitespace(value);
    if (BAD_VALUE.test(normalized)) return undefined;
    const lower = name.toLowerCase();
    for (let i = 0; i < list.length; i += 2) if (list[i] === lower) return undefined;
    list.push(lower, normalized);
  }
  return list;
}

function hasName(list: string[], name: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return true;
  return false;
}

type Body = State["body"];

interface Init {
  status?: unknown;
  statusText?: unknown;
  headers?: unknown;
}

let isDisturbed: (stream: ReadableStream) => boolean = () => false;

/**
 * The parts for `new Response(body, init)` when they need no judgement beyond what is checked here; undefined
 * sends the call to the standard constructor (which then throws or builds exactly what the standard does).
 */
function partsOf(body: unknown, init: unknown, bodyType: string): State | undefined {
  let status = 200;
  let statusText = "";
  let list: string[] | undefined;
  if (init === undefined || init === null) list = [];
  else {
    if (typeof init !== "object" || Object.getPrototypeOf(init) !== Object.prototype) return undefined;
    const given = init as Init;
    if (given.status !== undefined) {
      if (typeof given.status !== "number" || !Number.isInteger(given.status)) return undefined;
      if (given.status < 200 || given.status > 599) return undefined;
      status = given.status;
    }
    if (given.statusText !== undefined) {
      if (typeof given.statusText !== "string" || !REASON_PHRASE.test(given.statusText)) return undefined;
      statusText = given.statusText;
    }
    const headers = given.headers;
    if (headers !== undefined && (typeof headers !== "object" || headers === null)) return undefined;
    list = listOf(headers as object | undefined);
    if (!list) return undefined;
  }
  let kept: Body;
  if (body === undefined || body === null) kept = null;
  else if (typeof body === "string") {
    kept = body;
    if (!hasName(list, "content-type")) list.push("content-type", bodyType);
  } else if (body instanceof Uint8Array && body.buffer instanceof ArrayBuffer) kept = copyBytes(body);
  else if (body instanceof ArrayBuffer) kept = copyBytes(new Uint8Array(body));
  else if (body instanceof ReadableStream) {
    if (body.locked || isDisturbed(body)) return undefined;
    kept = body;
  } else return undefined; // Blob, FormData, URLSearchParams, other views: the standard constructor
  if (kept !== null && NULL_BODY_STATUS.has(status)) return undefined;
  return { status, statusText, list, body: kept, served: false, headers: undefined, real: undefined };
}

function pairsOf(list: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < list.length; i += 2) pairs.push([list[i]!, list[i + 1]!]);
  return pairs;
}

/** Node's own Response, once something needed it (`standard()`). */
let StandardResponse: typeof Response | undefined;
/** Reads Node's own Response from the global property (which loads undici when nothing has yet). */
const readStandard = (): typeof Response => globalThis.Response;
let placeStandardPrototype: () => void = () => {};

/**
 * Node's own Response, loaded on first need. From then on the light class sits on it as a subclass would, and the
 * global property names the light class too.
 */
function standard(): typeof Response {
  if (StandardResponse) return StandardResponse;
  standardPending = false;
  StandardResponse = readStandard();
  Object.setPrototypeOf(LightResponse, StandardResponse);
  placeStandardPrototype();
  delegateTheRest(StandardResponse.prototype);
  Object.defineProperty(globalThis, "Response", {
    value: LightResponse,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return StandardResponse;
}

function isInstance(asked: object, value: unknown): boolean {
  if (asked === LightResponse) {
    if (typeof value !== "object" || value === null) return false;
    return LightResponse.isLight(value) || value instanceof standard();
  }
  return Function.prototype[Symbol.hasInstance].call(asked, value);
}

/** The body of a served light response: the bytes went out, only whether there was one still counts. */
const SENT = new Uint8Array(0);

/** First constructor argument of Response.json's light responses: their state is the second. */
const KEPT = Symbol("kept parts");

class LightResponse {
  #state: State;

  constructor(body?: unknown, init?: unknown) {
    if (body === KEPT) {
      this.#state = init as State;
      return;
    }
    this.#state = partsOf(body, init, TEXT_TYPE) ?? {
      status: 200,
      statusText: "",
      list: [],
      body: null,
      served: false,
      headers: undefined,
      real: new (standard())(body as BodyInit, init as ResponseInit),
    };
  }

  static isLight(value: object): boolean {
    return #state in value;
  }

  /** The parts to write for a light response nothing has turned into a standard one nor served yet; undefined otherwise. */
  static take(value: object): LightParts | undefined {
    if (!(#state in value)) return undefined;
    const s = (value as LightResponse).#state;
    if (s.real || s.served) return undefined;
    s.served = true;
    // the handler may have changed the headers through `headers`
    const parts = {
      status: s.status,
      statusText: s.statusText,
      list: s.headers ? [...s.headers].flat() : s.list,
      body: s.body,
    };
    if (s.body !== null) s.body = SENT; // the serve path owns the body now (a byte copy goes back to body-copies.ts)
    return parts;
  }

  /** The standard Response behind `value` (itself when it is one). */
  static realOf(value: object): Response {
    if (!(#state in value)) return value as Response;
    const s = (value as LightResponse).#state;
    if (s.real) return s.real;
    const body = s.served && s.body !== null ? new Uint8Array(0) : s.body;
    s.real = new (standard())(body as BodyInit | null, {
      status: s.status,
      statusText: s.statusText,
      headers: s.headers ?? pairsOf(s.list),
    });
    if (s.served && body !== null) s.real.arrayBuffer().catch(() => {}); // its body went out: used, as after a standard serve
    return s.real;
  }

  static json(data: unknown, init?: unknown): Response {
    const text = JSON.stringify(data);
    const parts = text === undefined ? undefined : partsOf(text, init, JSON_TYPE);
    if (!parts) return standard().json(data, init as ResponseInit); // throws what the standard throws
    return new LightResponse(KEPT, parts) as unknown as Response;
  }

  static redirect(url: string | URL, status?: number): Response {
    return standard().redirect(url, status);
  }

  static error(): Response {
    return standard().error();
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class instanceof asks about: Response itself matches every standard Response too (fetch's,
    // Response.error()'s); a subclass (which inherits this method) only its own instances
    // biome-ignore lint/complexity/noThisInStatic: the receiver is the point here, it is not always LightResponse
    return isInstance(this, value);
  }

  get status(): number {
    const s = this.#state;
    return s.real ? s.real.status : s.status;
  }

  get statusText(): string {
    const s = this.#state;
    return s.real ? s.real.statusText : s.statusText;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }

  get headers(): Headers {
    const s = this.#state;
    if (s.headers) return s.headers;
    if (s.real) return s.real.headers;
    s.headers = new Headers(pairsOf(s.list));
    return s.headers;
  }

  get type(): ResponseType {
    const s = this.#state;
    return s.real ? s.real.type : "default";
  }

  get url(): string {
    const s = this.#state;
    return s.real ? s.real.url : "";
  }

  get redirected(): boolean {
    const s = this.#state;
    return s.real ? s.real.redirected : false;
  }

  get bodyUsed(): boolean {
    const s = this.#state;
    if (s.real) return s.real.bodyUsed;
    if (s.served && s.body !== null) return true;
    return s.body instanceof ReadableStream ? isDisturbed(s.body) : false;
  }
}

const ANSWERED = new Set<string | symbol>([
  "constructor",
  "status",
  "statusText",
  "ok",
  "headers",
  "type",
  "url",
  "redirected",
  "bodyUsed",
]);

/**
 * The members of Node's Response prototype the light class does not answer itself (the same on Node 20-24), run
 * on the standard Response behind the light one; when Node's own Response is loaded, delegateTheRest replaces
 * them with its prototype's own functions, so the two cannot drift apart.
 */
const DELEGATED_GETTERS = ["body"];

/** Every member of the standard prototype the light class does not answer (body, text(), clone(), ...), run on the standard Response. */
function delegateTheRest(proto: object): void {
  for (const key of Reflect.ownKeys(proto)) {
    if (ANSWERED.has(key) || key === Symbol.toStringTag) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
    if (typeof descriptor.value === "function") {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(LightResponse.prototype, key, {
        value(this: object, ...args: unknown[]) {
          return method.apply(LightResponse.realOf(this), args);
        },
        configurable: true,
        writable: true,
        enumerable: descriptor.enumerable,
      });
    } else if (descriptor.get) {
      const getter = descriptor.get;
      Object.defineProperty(LightResponse.prototype, key, {
        get(this: object) {
          return getter.call(LightResponse.realOf(this));
        },
        configurable: true,
        enumerable: descriptor.enumerable,
      });
    }
  }
  // the getters answered here stay enumerable like the standard ones (for util.inspect and spreading)
  for (const key of ANSWERED) {
    if (key === "constructor") continue;
    const standard = Object.getOwnPropertyDescriptor(proto, key);
    const own = Object.getOwnPropertyDescriptor(LightResponse.prototype, key)!;
    Object.defineProperty(LightResponse.prototype, key, { ...own, enumerable: standard?.enumerable ?? false });
  }
}

/** The light class's own shape, as the standard one's, before Node's own Response is loaded. */
function prepareLightClass(): void {
  const proto = LightResponse.prototype;
  delegateByName(
    proto,
    DELEGATED_GETTERS,
    BODY_AND_CLONE_METHODS,
    (self) => LightResponse.realOf(self),
    () => standard().prototype,
  );
  for (const key of ANSWERED) {
    if (key === "constructor") continue;
    Object.defineProperty(proto, key, { ...Object.getOwnPropertyDescriptor(proto, key)!, enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: "Response", configurable: true });
  Object.defineProperty(LightResponse, "name", { value: "Response" });
  Object.defineProperty(LightResponse, "length", { value: 0 });
  placeStandardPrototype = standardPrototypeLater(proto, () => standard().prototype);
}

/** Whether Node has loaded its fetch implementation (a Response read from the global is then free). */
function undiciLoaded(): boolean {
  const loaded = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  return loaded?.includes("NativeModule internal/deps/undici/undici") ?? false;
}

const PASSED = Symbol.for("aral.node.lightResponse");

/**
 * Declares `Response` in the global lexical scope as the light class, leaving the global property (Node's lazy
 * one) unread: every `Response` in every module and script resolves to the binding, and `globalThis.Response`
 * still loads Node's own on first read. False when the name is taken (another copy of this module declared it).
 */
function declareGlobalBinding(): boolean {
  const vm = process.getBuiltinModule("node:vm");
  const bag = globalThis as unknown as Record<symbol, unknown>;
  bag[PASSED] = LightResponse;
  try {
    vm.runInThisContext(`let Response = globalThis[Symbol.for("aral.node.lightResponse")];`);
    return true;
  } catch {
    return false;
  } finally {
    delete bag[PASSED];
  }
}

export const LIGHT_RESPONSE_ENV = "ARAL_NODE_LIGHT_RESPONSE";
let installed = false;

/**
 * Makes the global `Response` the light one (once; a no-op with ARAL_NODE_LIGHT_RESPONSE=0, under Deno or Bun,
 * or when it is already installed). Responses made before keep working: the serve path writes both kinds.
 * When Node has not loaded its own Response yet, the light class is declared as a global binding instead of
 * replacing the global property, so loading Node's waits until something needs it (an agent that only serves
 * strings, bytes and streams never does); `standard()` then replaces the property too.
 */
export function installLightResponse(): void {
  if (installed) return;
  installed = true;
  if (process.env[LIGHT_RESPONSE_ENV] === "0") return;
  if (process.versions.bun !== undefined || "Deno" in globalThis) return;
  const stream = process.getBuiltinModule("node:stream") as unknown as { isDisturbed(stream: unknown): boolean };
  isDisturbed = (body) => stream.isDisturbed(body);
  prepareLightClass();
  if (undiciLoaded() || !declareGlobalBinding()) standard();
  else standardPending = true;
}

let standardPending = false;

/** Loads Node's own Response now if the light class is still waiting for it (see fetch-classes-later.ts). */
export function loadStandardResponse(): void {
  if (!standardPending) return;
  standardPending = false;
  standard();
}

/**
 * The parts of `response` to write when it is a light response still in its kept form (it then counts as
 * served: its body is used); undefined for any other Response.
 */
export function takeLightParts(response: Response): LightParts | undefined {
  return LightResponse.take(response);
}
