import { loadStandardRequestPrototype } from "./lazy-request.ts";
import { loadStandardResponse } from "./light-response.ts";

/**
 * Node's own Request and Response (undici: ~95 ms of CPU on Node 24, with WebCrypto, TLS and zlib) are not needed
 * to serve light responses, so the first serve does not wait for them: they load this long after it, in the
 * background, unless something needed them sooner. Readiness comes ~95 ms sooner; from then on requests and
 * responses run on the standard prototype chains (until then a stand-in sits in them, which costs every request a
 * little), and the agent's first fetch finds them loaded. ARAL_NODE_FETCH_CLASSES_AFTER_MS sets the delay in ms;
 * `never` loads them only when something needs them.
 */
export const FETCH_CLASSES_AFTER_ENV = "ARAL_NODE_FETCH_CLASSES_AFTER_MS";
const DEFAULT_DELAY_MS = 1_000;

let scheduled = false;

/** Throws a TypeError naming the variable when ARAL_NODE_FETCH_CLASSES_AFTER_MS is neither a delay nor `never`. */
export function loadFetchClassesLater(): void {
  if (scheduled) return;
  const setting = process.env[FETCH_CLASSES_AFTER_ENV]?.trim();
  const delay = setting === undefined || setting === "" ? DEFAULT_DELAY_MS : Number(setting);
  if (setting !== "never" && !(Number.isFinite(delay) && delay >= 0)) {
    throw new TypeError(
      `${FETCH_CLASSES_AFTER_ENV} must be a number of milliseconds \u2265 0 or "never", got ${JSON.stringify(setting)}`,
    );
  }
  scheduled = true;
  if (setting === "never") return;
  const load = () => {
    loadStandardResponse();
    loadStandardRequestPrototype();
  };
  setTimeout(load, delay).unref();
}
