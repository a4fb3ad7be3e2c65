import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isThenable, serverUrl, toPlatformError } from "@aral/platform";
import type { SafeRequestHandler, ServeBinding, ServeOptions } from "@aral/platform";
import { capConnections } from "./connection-cap.ts";
import { lazyRequest } from "./lazy-request.ts";
import { loadFetchClassesLater } from "./fetch-classes-later.ts";
import { installLightResponse, takeLightParts } from "./light-response.ts";
import { recycle } from "./body-copies.ts";

function reportError(error: unknown, what = "request handler failed"): void {
  console.error(`serve: ${what}:`, error);
}

/** Bodies up to this size go out in the same write as the headers (as a latin1 string: node:http joins only strings to its head). */
const JOINED_WRITE_LIMIT = 16 * 1024;

type Body = string | Uint8Array | ReadableStream<Uint8Array> | null;

function writeHead(res: ServerResponse, status: number, statusText: string, head: string[]): void {
  if (statusText) res.writeHead(status, statusText, head);
  else res.writeHead(status, head);
}

/** Whether the handler framed the body itself (a content-length or transfer-encoding in `head`). */
function framed(head: string[]): boolean {
  for (let i = 0; i < head.length; i += 2) {
    const name = head[i];
    if (name === "content-length" || name === "transfer-encoding") return true;
  }
  return false;
}

/**
 * A body whole in one chunk: one write with a content-length, as `res.end(body)` would do. `owned`: a copy
 * from body-copies.ts, given back once written.
 */
function endWith(
  res: ServerResponse,
  status: number,
  statusText: string,
  head: string[],
  bytes: Uint8Array,
  owned: boolean,
): void {
  if (!framed(head)) head.push("content-length", String(bytes.byteLength));
  writeHead(res, status, statusText, head);
  if (bytes.byteLength > JOINED_WRITE_LIMIT) res.end(bytes, owned ? () => recycle(bytes) : undefined);
  else {
    res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"), "latin1");
    if (owned) recycle(bytes);
  }
}

/**
 * Sends status, headers (a flat name/value list, lowercase names) and body. A string or bytes go out at once
 * with a content-length; only a stream makes this asynchronous. `owned`: bytes are a copy from body-copies.ts.
 */
function writeOut(
  status: number,
  statusText: string,
  head: string[],
  body: Body,
  req: IncomingMessage,
  res: ServerResponse,
  closing: boolean,
  owned = false,
): void | Promise<void> {
  if (closing) head.push("connection", "close");
  if (body === null || req.method === "HEAD") {
    if (owned && body instanceof Uint8Array) recycle(body);
    if (body instanceof ReadableStream)
      return body.cancel().then(
        () => writeOut(status, statusText, head, null, req, res, false),
        () => writeOut(status, statusText, head, null, req, res, false),
      );
    writeHead(res, status, statusText, head);
    res.end();
    return;
  }
  if (typeof body === "string") {
    if (!framed(head)) head.push("content-length", String(Buffer.byteLength(body)));
    writeHead(res, status, statusText, head);
    res.end(body);
    return;
  }
  if (body instanceof Uint8Array) return endWith(res, status, statusText, head, body, owned);
  return writeStream(body, status, statusText, head, res);
}

/** What a stream body may gather in the turn it is handed over; past either it streams at once. */
const GATHER_BYTES = 64 * 1024;
const GATHER_CHUNKS = 64;

/** A whole body gathered from a stream in chunks: one write with a content-length. */
function endWithChunks(
  res: ServerResponse,
  status: number,
  statusText: string,
  head: string[],
  chunks: Uint8Array[],
): void {
  if (chunks.length <= 1) {
    endWith(res, status, statusText, head, chunks[0] ?? new Uint8Array(0), false);
    return;
  }
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  if (!framed(head)) head.push("content-length", String(length));
  writeHead(res, status, statusText, head);
  if (length > JOINED_WRITE_LIMIT) {
    for (const chunk of chunks) res.write(chunk);
    res.end();
    return;
  }
  let text = "";
  for (const chunk of chunks) text += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
  res.end(text, "latin1");
}

/**
 * Sends a stream body. What the stream yields in the turn it is handed over (chunks already queued, or made by
 * its source without waiting) is gathered, not written: node:http would not send it before that turn ends anyway
 * (it corks the socket until the next tick). A stream that ends within the turn goes out whole with a
 * content-length; any other sends its headers and what it gathered when the turn ends, then each chunk as it
 * comes (chunked), reading on only while the socket takes more (backpressure).
 */
async function writeStream(
  body: ReadableStream<Uint8Array>,
  status: number,
  statusText: string,
  head: string[],
  res: ServerResponse,
): Promise<void> {
  const reader = body.getReader();
  let gathered: Uint8Array[] | undefined = [];
  let gatheredBytes = 0;
  let done = false;
  // one drain and one close listener for the whole body (not a pair per wait): `wake` resumes the loop
  let closed = false;
  let wake: (() => void) | undefined;
  const resume = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const startStreaming = () => {
    const chunks = gathered;
    if (!chunks || res.destroyed) return;
    gathered = undefined;
    writeHead(res, status, statusText, head);
    if (chunks.length === 0) res.flushHeaders();
    for (const chunk of chunks) res.write(chunk);
    res.on("drain", resume);
    res.once("close", () => {
      closed = true; // the client went away, or the response is done
      if (!done) void reader.cancel().catch(() => {});
      resume();
    });
  };
  // after the microtasks of this turn (the chunks its source makes at once), whether the handler answered at once or not
  queueMicrotask(() => process.nextTick(startStreaming));
  try {
    let next = reader.read();
    for (;;) {
      const chunk = await next;
      if (chunk.done) {
        done = true;
        break;
      }
      const value = chunk.value;
      if (!(value instanceof Uint8Array)) throw new TypeError("response body: a stream chunk is not a Uint8Array");
      next = reader.read();
      if (gathered) {
        gathered.push(value);
        gatheredBytes += value.byteLength;
        if (gatheredBytes <= GATHER_BYTES && gathered.length <= GATHER_CHUNKS) continue;
        startStreaming();
      } else if (!closed) res.write(value);
      if (res.writableNeedDrain && !closed) await new Promise<void>((resolve) => (wake = resolve));
      if (res.destroyed || closed) break;
    }
  } catch (error) {
    gathered = undefined;
    void reader.cancel(error).catch(() => {});
    reportError(error, "response body failed");
    res.destroy(); // truncating is the only honest signal left once the status line is out
    return;
  }
  if (!done || res.destroyed) {
    gathered = undefined;
    if (!done) void reader.cancel().catch(() => {}); // the client went away
    return;
  }
  const chunks = gathered;
  gathered = undefined;
  if (chunks) endWithChunks(res, status, statusText, head, chunks);
  else res.end();
}

/** Writes the handler's Response: a light one (light-response.ts) from its kept parts, any other through its stream. */
function writeResponse(
  response: Response,
  req: IncomingMessage,
  res: ServerResponse,
  closing: boolean,
): void | Promise<void> {
  const light = takeLightParts(response);
  if (light) return writeOut(light.status, light.statusText, light.list.slice(), light.body, req, res, closing, true);
  const head: string[] = [];
  for (const [name, value] of response.headers) head.push(name, value);
  let body: ReadableStream<Uint8Array> | null;
  try {
    body = response.body;
  } catch (error) {
    reportError(error, "response body failed");
    res.destroy();
    return;
  }
  return writeOut(response.status, response.statusText, head, body, req, res, closing);
}

export async function serveNode(
  handler: SafeRequestHandler,
  opts: Omit<ServeOptions, "signal"> = {},
): Promise<ServeBinding> {
  const { hostname = "127.0.0.1", port = 0 } = opts;
  installLightResponse();
  loadFetchClassesLater();
  const requestsPerSocket = new Map<Socket, number>();
  let closing = false;

  // node:http is loaded by the first serve(), not at import: an agent without a server never pays for it. Not with
  // `import("node:http")`: building its ESM namespace reads the WebSocket getters, which load undici (~20 ms CPU)
  const { createServer } = process.getBuiltinModule("node:http");
  const server = createServer((req, res) => {
    const socket = req.socket;
    track(socket);
    requestsPerSocket.set(socket, (requestsPerSocket.get(socket) ?? 0) + 1);
    const { request, abort } = lazyRequest({ req, base });
    const settle = () => {
      if (!res.writableFinished)
        abort(); // closed before the response completed
      else if (!req.complete) {
        // the handler left (part of) the body unread: discard it, or the keep-alive socket stalls
        req.removeAllListeners("data");
        req.resume();
      }
      const left = (requestsPerSocket.get(socket) ?? 1) - 1;
      if (!requestsPerSocket.has(socket)) return;
      requestsPerSocket.set(socket, left);
      if (closing && left === 0) socket.end(); // keep-alive socket whose last response went out
    };
    // node:http emits a response's 'close' after its 'finish' too (next tick), or when the client went away first
    res.on("close", settle);

    // a handler that answered at once is written in this turn, as node:http's own handlers are
    const answer = handler(request);
    if (isThenable(answer)) answer.then(write, fail);
    else write(answer);
    function write(response: Response): void {
      try {
        writeResponse(response, req, res, closing)?.catch(fail);
      } catch (error) {
        fail(error);
      }
    }
    function fail(error: unknown): void {
      reportError(error);
      res.destroy();
    }
  });
  // every connection, so close() can end the idle ones; 'request' tracks too where a node
  // emulation (Bun) emits no 'connection'
  function track(socket: Socket): void {
    if (requestsPerSocket.has(socket)) return;
    requestsPerSocket.set(socket, 0);
    socket.once("close", () => requestsPerSocket.delete(socket));
  }
  server.on("connection", track);
  capConnections(server, () => `${hostname}:${boundPort}`);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw toPlatformError(error, { syscall: "serve", path: `${hostname}:${port}` });
  });
  server.on("error", (error) => reportError(error, "server error"));

  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  const base = serverUrl(hostname, boundPort);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      server.close(() => resolve()); // called once every connection is gone
      for (const [socket, requests] of requestsPerSocket) if (requests === 0) socket.destroy();
    });
    return closed;
  };
  return { hostname, port: boundPort, close };
}
