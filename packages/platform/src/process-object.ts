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
export function onUncaughtFromProcess(proc: Pick<ProcessObject, "on" | "off">): ProcessApi["onUncaught"] {
  type Handler = (error: unknown, kind: UncaughtKind) => void;
  const subscriptions = new Set<{ handler: Handler }>();
  const deliver = (error: unknown, kind: UncaughtKind) => {
    for (const { handler } of [...subscriptions]) handler(error, kind);
  };
  const onException = (error: unknown) => deliver(error, "exception");
  const onRejection = (reason: unknown) => deliver(reason, "rejection");
  return (handler) => {
    const subscription = { handler };
    if (subscriptions.size === 0) {
      proc.on("uncaughtException", onException);
      proc.on("unhandledRejection", onRejection);
    }
    subscriptions.add(subscription);
    return () => {
      if (!subscriptions.delete(subscription) || subscriptions.size > 0) return;
      proc.off("uncaughtException", onException);
      proc.off("unhandledRejection", onRejection);
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
