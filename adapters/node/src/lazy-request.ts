import type { IncomingMessage } from "node:http";
import { readableToWeb } from "./node-streams.ts";
import { BODY_AND_CLONE_METHODS, delegateByName, standardPrototypeLater } from "./standard-later.ts";

/**
 * A standard Request for a node:http request, built only as far as the handler looks at it. A full
 * `new Request()` (URL parse, Headers, AbortSignal, body stream) costs more than node:http's whole
 * request parsing; a health check reads its method and URL and nothing else. `method`, `url`,
 * `headers` and `signal` are answered directly (each built on first read); anything else (the body,
 * `clone()`, `cache`, ...) first materializes the real Request and delegates to it.
 * `instanceof Request` holds: the prototype chain ends in Request.prototype (put there when first asked for).
 */
export interface LazyRequestSource {
  req: IncomingMessage;
  /** `http://host:port` of the server, when the request has no usable Host header. */
  base: string;
}

const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

const state = Symbol("lazy request state");

interface State extends LazyRequestSource {
  url?: string;
  headers?: Headers;
  controller?: AbortController;
  aborted: boolean;
  real?: Request;
}

type Lazy = { [state]: State };

function urlOf(s: State): string {
  if (s.url !== undefined) return s.url;
  const path = s.req.url ?? "/";
  const host = s.req.headers.host;
  // Joined, not resolved: new URL("//health", base) would take "health" for the host.
  const at = (origin: string) => new URL(path.startsWith("/") ? `${origin}${path}` : path, origin);
  let url: URL;
  try {
    url = at(host ? `http://${host}` : s.base);
  } catch {
    url = at(s.base);
  }
  return (s.url = url.href);
}

function headersOf(s: State): Headers {
  if (s.headers) return s.headers;
  const headers = new Headers();
  const raw = s.req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return (s.headers = headers);
}

function signalOf(s: State): AbortSignal {
  if (!s.controller) {
    s.controller = new AbortController();
    if (s.aborted) s.controller.abort();
  }
  return s.controller.signal;
}

function realOf(s: State): Request {
  if (s.real) return s.real;
  const method = s.req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers: headersOf(s), signal: signalOf(s) };
  if (!BODYLESS_METHODS.has(method)) {
    init.body = readableToWeb(s.req, "request body");
    init.duplex = "half";
  }
  return (s.real = new Request(urlOf(s), init));
}

const OWN: PropertyDescriptorMap = {
  method: {
    get(this: Lazy) {
      return this[state].real?.method ?? this[state].req.method ?? "GET";
    },
    configurable: true,
  },
  url: {
    get(this: Lazy) {
      return urlOf(this[state]);
    },
    configurable: true,
  },
  headers: {
    get(this: Lazy) {
      return this[state].real?.headers ?? headersOf(this[state]);
    },
    configurable: true,
  },
  signal: {
    get(this: Lazy) {
      return this[state].real?.signal ?? signalOf(this[state]);
    },
    configurable: true,
  },
};

/**
 * Request.prototype's members the lazy request does not answer itself (the same on Node 20-24), each run on the
 * materialized Request.
 */
const DELEGATED_GETTERS = [
  "destination",
  "referrer",
  "referrerPolicy",
  "mode",
  "credentials",
  "cache",
  "redirect",
  "integrity",
  "keepalive",
  "isReloadNavigation",
  "isHistoryNavigation",
  "body",
  "bodyUsed",
  "duplex",
];

class NodeRequest {
  // a field, defined on the instance: a plain assignment would walk up to the prototype's stand-in (a Proxy, below)
  // and run its set trap on every request
  [state]: State;
  constructor(s: State) {
    this[state] = s;
  }
}

// Request.prototype is loaded only when something walks past NodeRequest.prototype (instanceof Request): touching
// the Request global makes Node load its whole fetch stack, and a health check never needs it.
Object.defineProperties(NodeRequest.prototype, OWN);
delegateByName(
  NodeRequest.prototype,
  DELEGATED_GETTERS,
  BODY_AND_CLONE_METHODS,
  (self) => realOf((self as Lazy)[state]),
  () => Request.prototype,
);
Object.defineProperty(NodeRequest.prototype, Symbol.toStringTag, { value: "Request", configurable: true });
/** Puts Request.prototype under the lazy request's now (loading Node's fetch classes if nothing has yet). */
export const loadStandardRequestPrototype: () => void = standardPrototypeLater(
  NodeRequest.prototype,
  () => Request.prototype,
);

/** The handler's Request for `source.req`; `abort()` fires its signal (the client went away before the response finished). */
export function lazyRequest(source: LazyRequestSource): { request: Request; abort(): void } {
  const s: State = { req: source.req, base: source.base, aborted: false };
  return {
    request: new NodeRequest(s) as unknown as Request,
    abort() {
      s.aborted = true;
      s.controller?.abort();
    },
  };
}
