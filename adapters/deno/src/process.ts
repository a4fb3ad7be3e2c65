import type { ProcessPrimitives, UncaughtKind } from "@aral/platform";
import { toPlatformError } from "@aral/platform";
import { spawn } from "./spawn.ts";

type UncaughtHandler = (error: unknown, kind: UncaughtKind) => void;

/**
 * While at least one handler is subscribed, global "error" and "unhandledrejection" events are
 * cancelled (preventDefault keeps Deno alive) and handed to every handler. The global listeners are
 * installed with the first subscription and removed with the last, so Deno's default returns.
 * A handler that itself throws ends the process, as the original error would have without it.
 */
function createUncaughtSubscriptions(): (handler: UncaughtHandler) => () => void {
  const handlers = new Set<{ handler: UncaughtHandler }>();
  const deliver = (error: unknown, kind: UncaughtKind) => {
    for (const { handler } of [...handlers]) handler(error, kind);
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    deliver(event.error, "exception");
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    deliver(event.reason, "rejection");
  };
  return (handler) => {
    if (handlers.size === 0) {
      globalThis.addEventListener("error", onError);
      globalThis.addEventListener("unhandledrejection", onRejection);
    }
    // A wrapper object per subscription, so the same handler subscribed twice unsubscribes independently.
    const subscription = { handler };
    handlers.add(subscription);
    return () => {
      if (!handlers.delete(subscription) || handlers.size > 0) return;
      globalThis.removeEventListener("error", onError);
      globalThis.removeEventListener("unhandledrejection", onRejection);
    };
  };
}

export function createProcessApi(): ProcessPrimitives {
  return {
    spawn,
    get pid() {
      return Deno.pid;
    },
    get ppid() {
      return Deno.ppid;
    },
    cwd() {
      try {
        return Deno.cwd();
      } catch (error) {
        throw toPlatformError(error, { syscall: "cwd" });
      }
    },
    get argv() {
      return [...Deno.args];
    },
    // A getter: Deno.execPath() needs --allow-read, which only callers of execPath should need.
    get execPath() {
      try {
        return Deno.execPath();
      } catch (error) {
        throw toPlatformError(error, { syscall: "execPath" });
      }
    },
    exit: (code?: number): never => Deno.exit(code),
    onUncaught: createUncaughtSubscriptions(),
  };
}
