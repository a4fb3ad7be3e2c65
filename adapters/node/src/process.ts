import process from "node:process";
import type { ProcessApi, UncaughtKind } from "@aral/core";
import { spawnNode } from "./spawn.ts";

type UncaughtHandler = (error: unknown, kind: UncaughtKind) => void;

/**
 * Node crashes on an uncaught exception or unhandled rejection unless a listener exists, so the
 * listeners are installed only while at least one handler is subscribed.
 */
function createUncaughtHub() {
  const handlers = new Set<{ handler: UncaughtHandler }>();
  const onException = (error: unknown) => {
    for (const { handler } of [...handlers]) handler(error, "exception");
  };
  const onRejection = (reason: unknown) => {
    for (const { handler } of [...handlers]) handler(reason, "rejection");
  };
  return function onUncaught(handler: UncaughtHandler): () => void {
    if (typeof handler !== "function") throw new TypeError("process.onUncaught: handler must be a function");
    const subscription = { handler };
    if (handlers.size === 0) {
      process.on("uncaughtException", onException);
      process.on("unhandledRejection", onRejection);
    }
    handlers.add(subscription);
    return () => {
      if (!handlers.delete(subscription) || handlers.size > 0) return;
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    };
  };
}

export function createNodeProcess(): ProcessApi {
  return {
    spawn: spawnNode,
    get pid() {
      return process.pid;
    },
    cwd: () => process.cwd(),
    get argv() {
      return process.argv.slice(2);
    },
    get execPath() {
      return process.execPath;
    },
    exit(code?: number): never {
      if (code !== undefined && !Number.isInteger(code)) throw new TypeError(`process.exit: code must be an integer, got ${String(code)}`);
      return process.exit(code);
    },
    onUncaught: createUncaughtHub(),
  };
}
