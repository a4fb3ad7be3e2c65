import process from "node:process";
import type { ShutdownSignal, SignalsApi } from "@aral/core";

const SHUTDOWN_SIGNALS: readonly string[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** A node listener on a signal replaces its default action (ending the process). */
export function createNodeSignals(): SignalsApi {
  return {
    on(signal: ShutdownSignal, handler: () => void) {
      if (!SHUTDOWN_SIGNALS.includes(signal)) {
        throw new TypeError(`signals.on: unsupported signal ${JSON.stringify(signal)} (expected one of ${SHUTDOWN_SIGNALS.join(", ")})`);
      }
      if (typeof handler !== "function") throw new TypeError(`signals.on('${signal}'): handler must be a function`);
      // one listener per subscription, so subscribing the same handler twice unsubscribes independently
      const listener = () => handler();
      process.on(signal, listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        process.off(signal, listener);
      };
    },
  };
}
