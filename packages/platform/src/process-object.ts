/**
 * Platform pieces built on a Node-style `process` object, which Node, Bun and Deno's node:process
 * all offer. Core never touches `process` itself: the adapter hands its own in. Arguments are
 * checked by guardPlatform, not here.
 */
import type { ProcessApi, SignalsApi, UncaughtKind, UsageApi } from "./contract.ts";

// any[]: Node's and Bun's overloaded on/off only accept a listener taking anything
// biome-ignore lint/suspicious/noExplicitAny: see above
type Listener = (...args: any[]) => void;

/** The part of a Node-style `process` object these helpers use. */
export interface ProcessObject {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  memoryUsage(): { rss: number; heapUsed: number; heapTotal: number; external: number };
  cpuUsage(): { user: number; system: number };
}

/** A signal listener on the process replaces the signal's default action (ending the process). */
export function signalsFromProcess(proc: Pick<ProcessObject, "on" | "off">): SignalsApi {
  return {
    on(signal, handler) {
      // one listener per subscription, so the same handler subscribed twice unsubscribes independently
      const listener = () => handler();
      proc.on(signal, listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        proc.off(signal, listener);
      };
    },
  };
}

/**
 * The process crashes on an uncaught exception or unhandled rejection unless a listener exists, so
 * the listeners are installed only while at least one handler is subscribed.
 */
/** process.stdout / process.stderr, as far as their errors go. */
interface StdioStream {
  on(event: "error", listener: Listener): unknown;
  off(event: "error", listener: Listener): unknown;
}

/**
 * While anyone is subscribed, a write to a stdout or stderr whose reader went away (EPIPE) is dropped, as Deno and
 * Bun drop it, instead of being an uncaught exception: a handler that logs it would write to the same pipe, fail
 * again and spin (Node grew to its heap limit and ignored SIGTERM). Other stdio errors reach the handlers.
 */
export function onUncaughtFromProcess(
  proc: Pick<ProcessObject, "on" | "off"> & { stdout?: StdioStream; stderr?: StdioStream },
): ProcessApi["onUncaught"] {
  type Handler = (error: unknown, kind: UncaughtKind) => void;
  const subscriptions = new Set<{ handler: Handler }>();
  const deliver = (error: unknown, kind: UncaughtKind) => {
    for (const { handler } of [...subscriptions]) handler(error, kind);
  };
  const onException = (error: unknown) => deliver(error, "exception");
  const onRejection = (reason: unknown) => deliver(reason, "rejection");
  const onStdioError = (error: unknown) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== "EPIPE" && code !== "ERR_STREAM_DESTROYED") deliver(error, "exception");
  };
  // Read on the first subscription, not now: Node makes process.stdout on first access (a cost every import would pay).
  let stdio: StdioStream[] = [];
  return (handler) => {
    const subscription = { handler };
    if (subscriptions.size === 0) {
      proc.on("uncaughtException", onException);
      proc.on("unhandledRejection", onRejection);
      stdio = [proc.stdout, proc.stderr].filter((stream): stream is StdioStream => stream !== undefined);
      for (const stream of stdio) stream.on("error", onStdioError);
    }
    subscriptions.add(subscription);
    return () => {
      if (!subscriptions.delete(subscription) || subscriptions.size > 0) return;
      proc.off("uncaughtException", onException);
      proc.off("unhandledRejection", onRejection);
      for (const stream of stdio) stream.off("error", onStdioError);
    };
  };
}

export function usageFromProcess(proc: Pick<ProcessObject, "memoryUsage" | "cpuUsage">): UsageApi {
  return {
    memory() {
      const { rss, heapUsed, heapTotal, external } = proc.memoryUsage();
      return { rss, heapUsed, heapTotal, external };
    },
    cpu() {
      const { user, system } = proc.cpuUsage();
      return { userMicros: user, systemMicros: system };
    },
  };
}
