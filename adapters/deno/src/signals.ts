import type { ShutdownSignal, SignalsApi } from "@aral/platform";
import { toPlatformError } from "@aral/platform";

export function createSignalsApi(): SignalsApi {
  return {
    on(signal: ShutdownSignal, handler: () => void): () => void {
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
