import type { UnixConnection, UnixListener, UnixListenOptions } from "@aral/platform";
import { toPlatformError } from "@aral/platform";

function connection(conn: Deno.UnixConn): UnixConnection {
  let closed = false;
  return {
    readable: conn.readable,
    writable: conn.writable,
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // already closed by its streams
      }
    },
  };
}

export async function listenUnix(
  path: string,
  onConnection: (connection: UnixConnection) => void,
  opts: UnixListenOptions = {},
): Promise<UnixListener> {
  let listener: Deno.UnixListener;
  try {
    listener = Deno.listen({ transport: "unix", path });
  } catch (error) {
    throw toPlatformError(error, { syscall: "listenUnix", path });
  }
  if (opts.mode !== undefined) {
    try {
      await Deno.chmod(path, opts.mode);
    } catch (error) {
      listener.close();
      throw toPlatformError(error, { syscall: "chmod", path });
    }
  }
  const accepting = (async () => {
    try {
      for await (const conn of listener) onConnection(connection(conn));
    } catch {
      // the listener was closed
    }
  })();
  let closing: Promise<void> | undefined;
  const onAbort = () => void close();
  function close(): Promise<void> {
    closing ??= (async () => {
      opts.signal?.removeEventListener("abort", onAbort);
      try {
        listener.close();
      } catch {
        // already closed
      }
      await accepting;
      await Deno.remove(path).catch(() => {});
    })();
    return closing;
  }
  if (opts.signal?.aborted) void close();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  return { path, close };
}

export async function connectUnix(path: string): Promise<UnixConnection> {
  try {
    return connection(await Deno.connect({ transport: "unix", path }));
  } catch (error) {
    throw toPlatformError(error, { syscall: "connectUnix", path });
  }
}
