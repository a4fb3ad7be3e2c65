import type { ShutdownSignal, SignalsApi } from "./contract.ts";
import { choiceError, functionError, spell } from "./guard-checks.ts";

const SHUTDOWN_SIGNALS: ReadonlySet<string> = new Set<ShutdownSignal>(["SIGINT", "SIGTERM", "SIGHUP"]);
const SHUTDOWN_SPELLED = spell(SHUTDOWN_SIGNALS);

export function guardSignals(signals: SignalsApi): SignalsApi {
  return {
    on(signal, handler) {
      const error =
        choiceError("signals.on", "signal", signal, SHUTDOWN_SIGNALS, SHUTDOWN_SPELLED) ??
        functionError("signals.on", "handler", handler);
      if (error) throw error;
      return signals.on(signal, handler);
    },
  };
}
