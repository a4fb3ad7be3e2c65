import type { ShutdownSignal, SignalsApi } from "@aral/core";
import { toPlatformError } from "@aral/core";

const SHUTDOWN_SIGNALS: readonly string[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export function createSignalsApi(): SignalsApi {
  return {
    on(signal: ShutdownSignal, handler: () => void): () => void {
      if (!SHUTDOWN_SIGNALS.includes(signal)) {
        throw new TypeError(`signals.on: unsupported signal ${JSON.stringify(signal)}, expected one of ${SHUTDOWN_SIGNALS.join(", ")}`);
      }
      if (typeof handler !== "function") throw new TypeError(`signals.on(${signal}): handler must be a function, got ${typeof handler}`);
      // A fresh listener per subscription, so subscribing the same handler twice gives two independent unsubscribes.
      const listener = () => handler();
      try {
        Deno.addSignalListener(signal, listener);
      } catch (error) {
        throw toPlatformError(error, { syscall: "addSignalListener", path: signal });
      }
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        Deno.removeSignalListener(signal, listener);
      };
    },
  };
}
