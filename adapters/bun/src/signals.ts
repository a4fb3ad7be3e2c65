// Bun has no native signal API: process.on/off from Bun's `process` global (no node: import).
import type { ShutdownSignal, SignalsApi } from "@aral/core";

const SHUTDOWN_SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export function createSignalsApi(): SignalsApi {
  return {
    on(signal, handler) {
      if (!SHUTDOWN_SIGNALS.includes(signal)) {
        throw new TypeError(`signal must be one of ${SHUTDOWN_SIGNALS.join(", ")}, got ${JSON.stringify(signal)}`);
      }
      if (typeof handler !== "function") throw new TypeError(`signal handler must be a function, got ${typeof handler}`);
      // A listener replaces the default action (termination) for as long as it is registered.
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
