/**
 * net.listenUnix / net.connectUnix built on a Node-style `net` module, which Node and Bun both offer.
 * Core never imports it: the adapter hands its own `node:net` (and chmod/unlink of its fs) in.
 */
import type { NetApi, UnixConnection, UnixListener, UnixListenOptions } from "./contract.ts";
import { toPlatformError } from "./errors.ts";

// any[]: Node's and Bun's overloaded on/once/off only accept a listener taking anything
// biome-ignore lint/suspicious/noExplicitAny: see above
type Listener = (...args: any[]) => void;

/** The part of a Node-style socket these helpers use. */
export interface NodeSocketLike {
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(callback?: () => void): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
}

interface NodeServerLike {
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  listen(path: string, callback: () => void): unknown;
  close(callback?: (error?: Error) => void): unknown;
}

/** The part of a Node-style `net` module these helpers use. */
export interface NodeNetLike {
  // any: the real module's Socket is wider than NodeSocketLike in ways no caller reads, and must stay assignable
  // biome-ignore lint/suspicious/noExplicitAny: see above
  createServer(listener: (socket: any) => void): NodeServerLike;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  connect(path: string): any;
}

export interface NodeUnixFs {
  chmod(path: string, mode: number): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** A socket as web streams: reading pauses the socket while the reader is behind (backpressure). */
export function connectionFromSocket(socket: NodeSocketLike): UnixConnection {
  let closed = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (data: Uint8Array) => {
        if (closed) return;
        controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("end", () => {
        if (!closed) controller.close();
        closed = true;
      });
      socket.once("error", (error: unknown) => {
        if (!closed) controller.error(toPlatformError(error, { syscall: "read" }));
        closed = true;
      });
      socket.once("close", () => {
        if (!closed) controller.close();
        closed = true;
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      closed = true;
      socket.destroy();
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        socket.write(chunk, (error) => (error ? reject(toPlatformError(error, { syscall: "write" })) : resolve()));
      }),
    close: () => new Promise<void>((resolve) => void socket.end(resolve)),
    abort: () => void socket.destroy(),
  });
  return {
    readable,
    writable,
    close() {
      socket.destroy();
    },
  };
}

export function unixSocketsFromNodeNet(net: NodeNetLike, fs: NodeUnixFs): Pick<NetApi, "listenUnix" | "connectUnix"> {
  return {
    async listenUnix(
      path: string,
      onConnection: (connection: UnixConnection) => void,
      opts: UnixListenOptions = {},
    ): Promise<UnixListener> {
      const server = net.createServer((socket: NodeSocketLike) => onConnection(connectionFromSocket(socket)));
      await new Promise<void>((resolve, reject) => {
        const onError = (error: unknown) => reject(toPlatformError(error, { syscall: "listenUnix", path }));
        server.once("error", onError);
        server.listen(path, () => {
          server.off("error", onError);
          resolve();
        });
      });
      server.on("error", () => {}); // a failing connection never takes the listener down
      if (opts.mode !== undefined) {
        try {
          await fs.chmod(path, opts.mode);
        } catch (error) {
          server.close();
          throw toPlatformError(error, { syscall: "chmod", path });
        }
      }
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> =>
        (closing ??= (async () => {
          opts.signal?.removeEventListener("abort", onAbort);
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await fs.unlink(path).catch(() => {});
        })());
      const onAbort = () => void close();
      if (opts.signal?.aborted) void close();
      else opts.signal?.addEventListener("abort", onAbort, { once: true });
      return { path, close };
    },
    connectUnix(path: string): Promise<UnixConnection> {
      return new Promise((resolve, reject) => {
        const socket = net.connect(path) as NodeSocketLike;
        const onError = (error: unknown) => reject(toPlatformError(error, { syscall: "connectUnix", path }));
        socket.once("error", onError);
        socket.once("connect", () => {
          socket.off("error", onError);
          resolve(connectionFromSocket(socket));
        });
      });
    },
  };
}
