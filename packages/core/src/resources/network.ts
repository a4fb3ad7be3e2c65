import { requireArgument } from "../invalid-argument.ts";
import type { Clock } from "@aral/platform";
import { MAX_TIMER_MS, systemClock } from "@aral/platform";
import { ConnectionLimitError, FetchSchemeError, NetworkTimeoutError } from "./errors.ts";
import { parseBandwidth } from "./quantity.ts";
import { Semaphore } from "./semaphore.ts";
import { TokenBucket } from "./token-bucket.ts";

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface LimitedFetchOptions {
  /** The fetch to wrap, normally `platform.net.fetch`. */
  fetch: FetchFunction;
  /** Most requests in flight at once; a request holds its slot until its response body is consumed or cancelled. */
  connections?: number;
  /**
   * Default per-request timeout in ms, covering the whole exchange (headers and body) from the moment the request
   * has a slot; time spent queueing for a slot is bounded by the caller's own signal, not by this.
   */
  timeout?: number;
  /** Cap on body bytes (requests and responses together): bits per second, or a quantity such as "100Mbps". */
  bandwidth?: number | string;
  /** With all slots busy: wait in FIFO order (default) or fail at once with ConnectionLimitError. */
  waitForSlot?: boolean;
  clock?: Clock;
}

export interface LimitedFetch extends FetchFunction {
  /** Requests holding a slot. */
  readonly active: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
  /** Connection slots leased with allocate({ connections }): they count against `connections` (ResourceManager). */
  reserveConnections(slots: number): void;
  /** Requests started and not yet ended (response body consumed, cancelled or failed), limit or not. */
  readonly inFlight: number;
  /** Requests made since creation. */
  readonly requests: number;
  /** Requests that failed with NetworkTimeoutError since creation. */
  readonly timeouts: number;
  /** Response body bytes delivered to callers since creation, counted as the body is read (never buffered for it). */
  readonly responseBytes: number;
  /**
   * Request body bytes sent since creation: string, ArrayBuffer or typed array, Blob and URLSearchParams bodies by their
   * size, FormData by its multipart encoding (formDataSize), ReadableStream bodies and every body paced by a bandwidth
   * cap chunk by chunk as they go out. Not counted: the body of a Request object passed without a cap (its size is not
   * known without reading it, and wrapping it would stop a 307/308 redirect from re-sending it).
   */
  readonly requestBytes: number;
}

/**
 * Wraps a fetch with a connection limit, a default timeout and a bandwidth cap. Connection pooling per host
 * is not done here: it belongs to each adapter's fetch (undici's pool on Node, the runtime's keep-alive elsewhere).
 */
export function createLimitedFetch(options: LimitedFetchOptions): LimitedFetch {
  const { fetch: innerFetch, timeout, waitForSlot = true } = options;
  const clock = options.clock ?? systemClock;
  if (typeof innerFetch !== "function") throw new TypeError("createLimitedFetch: options.fetch must be a function");
  if (timeout !== undefined && !(timeout > 0 && timeout <= MAX_TIMER_MS))
    throw new RangeError(
      `createLimitedFetch: timeout must be a finite number of ms > 0 and at most ${MAX_TIMER_MS}, got ${timeout}`,
    );
  const slots = options.connections === undefined ? null : new Semaphore(options.connections);
  const bitsPerSecond = options.bandwidth === undefined ? undefined : parseBandwidth(options.bandwidth);
  if (bitsPerSecond === 0) throw new RangeError("createLimitedFetch: bandwidth must be more than 0");
  const bucket = bitsPerSecond === undefined ? null : new TokenBucket(bitsPerSecond / 8, { clock });

  let inFlight = 0;
  let requests = 0;
  let timeouts = 0;
  let responseBytes = 0;
  let requestBytes = 0;
  const countBytes = (bytes: number): void => {
    responseBytes += bytes;
  };
  const limited = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requireArgument(
      typeof input === "string" || input instanceof URL || input instanceof Request,
      "fetch input",
      "a URL string, a URL or a Request",
      input,
    );
    const url = describeUrl(input);
    const scheme = schemeOf(url);
    if (scheme !== "http:" && scheme !== "https:") throw new FetchSchemeError(url, scheme);
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    requireArgument(
      callerSignal === undefined || callerSignal instanceof AbortSignal,
      "fetch init.signal",
      "an AbortSignal",
      callerSignal,
    );
    requests++;
    inFlight++;
    let counted = true;
    const ended = (): void => {
      if (counted) inFlight--;
      counted = false;
    };
    const controller = new AbortController();
    let timedOut: NetworkTimeoutError | null = null;
    const timer = new AbortController();
    const finish = (): void => {
      ended();
      timer.abort(TIMER_DONE);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    };
    const onCallerAbort = (): void => controller.abort(callerSignal!.reason);
    if (callerSignal?.aborted) {
      ended();
      throw callerSignal.reason;
    }
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

    let release: () => void = () => {};
    try {
      if (slots) {
        if (waitForSlot) {
          release = await slots.acquire(controller.signal);
        } else {
          const slot = slots.tryAcquire();
          if (!slot) throw new ConnectionLimitError(url, slots.limit);
          release = slot;
        }
      }
      if (timeout !== undefined) {
        clock.sleep(timeout, timer.signal).then(
          () => {
            timedOut = new NetworkTimeoutError(url, timeout);
            timeouts++;
            controller.abort(timedOut);
          },
          () => {},
        );
      }
      const failure = (error: unknown): unknown => timedOut ?? error;
      let response: Response;
      if (bucket && (init?.body != null || (input instanceof Request && input.body))) {
        // Normalising through Request turns any body (string, FormData, Blob, stream) into one stream to pace.
        const request = new Request(input, { ...init, signal: controller.signal });
        const body = passThrough(request.body!, bucket, {
          signal: controller.signal,
          failure,
          onEnd: () => {},
          onBytes: (bytes) => {
            requestBytes += bytes;
          },
        });
        response = await innerFetch(new Request(request, { body, duplex: "half" } as RequestInit));
      } else if (init?.body instanceof ReadableStream) {
        // Counted chunk by chunk as the fetch pulls them: what actually went out, nothing buffered.
        const body = passThrough(init.body, null, {
          signal: controller.signal,
          failure,
          onEnd: () => {},
          onBytes: (bytes) => {
            requestBytes += bytes;
          },
        });
        response = await innerFetch(input, { ...init, body, signal: controller.signal });
      } else {
        requestBytes +=
          typeof FormData !== "undefined" && init?.body instanceof FormData
            ? await formDataSize(init.body)
            : knownBodySize(init?.body);
        response = await innerFetch(input, { ...init, signal: controller.signal });
      }
      if (!response.body) {
        release();
        finish();
        return response;
      }
      const done = (): void => {
        release();
        finish();
      };
      const context: BodyContext = { signal: controller.signal, failure, onEnd: done, onBytes: countBytes };
      if (!bucket) return trackConsumption(response, context);
      const wrapped = new Response(passThrough(response.body, bucket, context), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      Object.defineProperty(wrapped, "url", { value: response.url });
      Object.defineProperty(wrapped, "redirected", { value: response.redirected });
      return wrapped;
    } catch (error) {
      release();
      finish();
      throw timedOut ?? error;
    }
  };

  return Object.defineProperties(limited, {
    active: { get: () => slots?.active ?? 0 },
    waiting: { get: () => slots?.waiting ?? 0 },
    inFlight: { get: () => inFlight },
    requests: { get: () => requests },
    timeouts: { get: () => timeouts },
    responseBytes: { get: () => responseBytes },
    requestBytes: { get: () => requestBytes },
    reserveConnections: { value: (reserved: number) => slots?.reserve(reserved) },
  }) as LimitedFetch;
}

interface BodyContext {
  /** Aborts when the caller aborts or the timeout fires; the body then errors with `failure()`. */
  readonly signal: AbortSignal;
  failure(error: unknown): unknown;
  /** Runs once when the body ends, fails or is cancelled. */
  onEnd(): void;
  /** Told the size of every chunk handed on (the bytes metric); absent for request bodies. */
  onBytes?(bytes: number): void;
}

/**
 * Pulls `source` one chunk at a time, optionally through the token bucket (chunks cut to the bucket's burst size).
 * A pull-based ReadableStream rather than a TransformStream so that cancellation reaches `onEnd` on every runtime.
 */
function passThrough(
  source: ReadableStream<Uint8Array>,
  tokens: TokenBucket | null,
  context: BodyContext,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    context.signal.removeEventListener("abort", onAbort);
    context.onEnd();
  };
  let streamController: ReadableStreamDefaultController<Uint8Array> | undefined;
  const onAbort = (): void => {
    if (ended) return;
    end();
    const error = context.failure(context.signal.reason);
    streamController?.error(error);
    reader.cancel(error).catch(() => {});
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        streamController = controller;
        if (context.signal.aborted) onAbort();
        else context.signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        if (ended) return;
        try {
          const { done, value } = await reader.read();
          if (done) {
            end();
            controller.close();
            return;
          }
          context.onBytes?.(value.byteLength);
          if (!tokens) {
            controller.enqueue(value);
            return;
          }
          for (let offset = 0; offset < value.byteLength; offset += tokens.capacity) {
            const piece = value.subarray(offset, offset + tokens.capacity);
            await tokens.take(piece.byteLength, context.signal);
            if (ended) return;
            controller.enqueue(piece);
          }
        } catch (error) {
          if (ended) return;
          end();
          controller.error(context.failure(error));
        }
      },
      async cancel(reason) {
        end();
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

const BODY_METHODS = ["arrayBuffer", "text", "json", "blob", "formData", "bytes"] as const;
/**
 * Property `name` as the class that made `response` defines it. Not read from the global `Response`: an adapter may
 * put a class of its own there whose members forward to the instance (the Node adapter's light Response), and
 * those would land on the instance's own shadowing members below and recurse. Touching the global would also make
 * Node load its whole fetch stack.
 */
function ownClassMember(response: Response, name: string): PropertyDescriptor | undefined {
  for (let proto = Object.getPrototypeOf(response); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

/**
 * Without a bandwidth cap the response itself is returned, so the runtime's fast paths for arrayBuffer()/text()
 * stay (a wrapping stream tripled the cost of a small request on Deno). Its body methods and `body` are shadowed
 * on the instance to learn when the body has been consumed or cancelled.
 */
function trackConsumption(response: Response, context: BodyContext): Response {
  const bodyGetter = ownClassMember(response, "body")?.get as (() => ReadableStream<Uint8Array> | null) | undefined;
  if (!bodyGetter) {
    const wrapped = new Response(passThrough(response.body!, null, context), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(wrapped, "url", { value: response.url });
    Object.defineProperty(wrapped, "redirected", { value: response.redirected });
    return wrapped;
  }
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    context.signal.removeEventListener("abort", end);
    context.onEnd();
  };
  // Timed out or aborted: the runtime errors the body itself; the slot is free either way.
  context.signal.addEventListener("abort", end, { once: true });
  let tracked: ReadableStream<Uint8Array> | null | undefined;
  const method = (name: string) => ownClassMember(response, name)?.value as ((this: Response) => unknown) | undefined;
  const arrayBuffer = method("arrayBuffer");
  for (const name of BODY_METHODS) {
    const original = method(name);
    if (typeof original !== "function") continue;
    Object.defineProperty(response, name, {
      configurable: true,
      writable: true,
      value: async function consume(): Promise<unknown> {
        try {
          // text() and json() read through arrayBuffer() so the bytes are counted exactly (the same UTF-8 decoding).
          if (name === "text" || name === "json") {
            const buffer = (await arrayBuffer!.call(response)) as ArrayBuffer;
            context.onBytes?.(buffer.byteLength);
            const text = new TextDecoder().decode(buffer);
            return name === "json" ? JSON.parse(text) : text;
          }
          const body = await original.call(response);
          context.onBytes?.(bodySize(body, response));
          return body;
        } catch (error) {
          throw context.failure(error);
        } finally {
          // Once the caller has taken `body` as a stream, that stream decides when the body has ended.
          if (tracked === undefined) end();
        }
      },
    });
  }
  Object.defineProperty(response, "body", {
    configurable: true,
    get(): ReadableStream<Uint8Array> | null {
      if (tracked === undefined) {
        const original = bodyGetter.call(response) as ReadableStream<Uint8Array> | null;
        tracked = original && !ended ? passThrough(original, null, { ...context, onEnd: end }) : original;
      }
      return tracked;
    },
  });
  return response;
}

/** A request body's size when it is known without reading it; 0 for streams, FormData (formDataSize) and no body. */
function knownBodySize(body: BodyInit | null | undefined): number {
  if (body == null) return 0;
  if (typeof body === "string") return utf8Length(body);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (typeof Blob !== "undefined" && body instanceof Blob) return body.size;
  if (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) return utf8Length(body.toString());
  return 0;
}

/**
 * The multipart/form-data size of a FormData body, without reading its files: the runtime encodes a copy whose files
 * are empty (names, filenames, types and string values kept, so the framing is byte for byte the same) and each file's
 * size is added. The body itself is sent as the runtime encodes it (with its Content-Length, re-sendable on a redirect),
 * not turned into a stream.
 */
async function formDataSize(form: FormData): Promise<number> {
  const skeleton = new FormData();
  let fileBytes = 0;
  for (const [name, value] of form) {
    if (typeof value === "string") skeleton.append(name, value);
    else {
      skeleton.append(name, new File([], value.name, { type: value.type, lastModified: value.lastModified }));
      fileBytes += value.size;
    }
  }
  return (await new Response(skeleton).arrayBuffer()).byteLength + fileBytes;
}

/** UTF-8 length of a string without encoding it (a lone surrogate counts 3, as its U+FFFD replacement). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes a body method read: exact for everything but formData (its content-length, when the server sent one). */
function bodySize(body: unknown, response: Response): number {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (typeof Blob !== "undefined" && body instanceof Blob) return body.size;
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  return Number.isSafeInteger(declared) && declared >= 0 ? declared : 0;
}

/** Reason for disarming a timeout; a plain abort() would build a DOMException (and a stack) per request. */
const TIMER_DONE: unknown = Symbol("request finished");

/** The URL's scheme, lower-cased with its colon; what a URL parser would read, without needing a base. */
function schemeOf(url: string): string {
  const match = /^\s*([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return match ? `${match[1]!.toLowerCase()}:` : "(none)";
}

function describeUrl(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  if (input === null || typeof input !== "object") return String(input);
  if (input instanceof URL) return input.href;
  return input.url;
}
