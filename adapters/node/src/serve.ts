import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { serverUrl, toPlatformError } from "@aral/platform";
import type { SafeRequestHandler, ServeBinding, ServeOptions } from "@aral/platform";
import { capConnections } from "./connection-cap.ts";
import { lazyRequest } from "./lazy-request.ts";
import { installLightResponse, takeLightParts } from "./light-response.ts";
import { recycle } from "./body-copies.ts";

function reportError(error: unknown, what = "request handler failed"): void {
  console.error(`serve: ${what}:`, error);
}

/** Whether `promise` has settled after a few microtask turns: a body chunk already queued has, a slow producer's has not. */
async function settlesNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 3 && !settled; turn++) await undefined;
  return settled;
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

async function writeStream(
  body: ReadableStream<Uint8Array>,
  status: number,
  statusText: string,
  head: string[],
  res: ServerResponse,
): Promise<void> {
  const reader = body.getReader();
  try {
    let next = reader.read();
    // a body that is already there goes out with the headers; a slow one gets its headers now
    if (!(await settlesNow(next))) {
      writeHead(res, status, statusText, head);
      res.flushHeaders();
    }
    let chunk = await next;
    if (!chunk.done) next = reader.read();
    if (
      !chunk.done &&
      !res.headersSent &&
      chunk.value instanceof Uint8Array &&
      (await settlesNow(next)) &&
      (await next).done
    ) {
      endWith(res, status, statusText, head, chunk.value, false);
      return;
    }
    if (!res.headersSent) writeHead(res, status, statusText, head);
    if (chunk.done) {
      res.end();
      return;
    }
    // one drain and one close listener for the whole body (not a pair per wait): `wake` resumes the loop
    let closed = false;
    let wake: (() => void) | undefined;
    const resume = () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    res.on("drain", resume);
    res.once("close", () => {
      closed = true; // the client went away, or the response is done
      void reader.cancel().catch(() => {});
      resume();
    });
    for (;;) {
      if (res.destroyed || closed) break;
      if (!res.write(chunk.value) && !closed) await new Promise<void>((resolve) => (wake = resolve));
      chunk = await next;
      if (chunk.done) break;
      next = reader.read();
    }
    res.end();
  } catch (error) {
    reportError(error, "response body failed");
    res.destroy(); // the status line is out: truncating is the only honest signal left
  }
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

    handler(request).then((response) => {
      try {
        writeResponse(response, req, res, closing)?.catch(fail);
      } catch (error) {
        fail(error);
      }
    }, fail);
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
