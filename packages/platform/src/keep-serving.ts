import { exhaustionLog, isDescriptorExhaustion } from "./descriptor-exhaustion.ts";
import type { ServeBinding } from "./derive-serve.ts";

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1_000;

/**
 * A server whose accept loop died of descriptor exhaustion (Deno's does: its `finished` rejects with
 * EMFILE) is bound again on the same address, retrying with backoff while descriptors are still short;
 * the first death of a burst is logged. Any other death is logged once and left dead. close() closes
 * whichever binding is current and stops the retries.
 */
export function keepServing(first: ServeBinding, rebind: (port: number) => Promise<ServeBinding>): ServeBinding {
  const where = `${first.hostname}:${first.port}`;
  const log = exhaustionLog(where);
  let current = first;
  let closing: Promise<void> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let announced = false;

  const watch = (binding: ServeBinding): void => {
    binding.failed?.then((error) => {
      if (closing || binding !== current) return;
      if (!isDescriptorExhaustion(error)) {
        console.error(`serve: the server on ${where} stopped:`, error);
        return;
      }
      if (log.report(error instanceof Error ? error.message : String(error))) announced = true;
      scheduleRebind(FIRST_RETRY_MS);
    });
  };
  const scheduleRebind = (delayMs: number): void => {
    retry = setTimeout(async () => {
      retry = undefined;
      try {
        const next = await rebind(first.port);
        if (closing) return void (await next.close());
        current = next;
        if (announced) console.error(`serve: serving again on ${where}`);
        announced = false;
        watch(next);
      } catch (error) {
        if (closing) return;
        if (!isDescriptorExhaustion(error)) console.error(`serve: could not bind ${where} again:`, error);
        scheduleRebind(Math.min(delayMs * 2, MAX_RETRY_MS));
      }
    }, delayMs);
  };
  watch(first);

  return {
    hostname: first.hostname,
    port: first.port,
    close() {
      closing ??= (async () => {
        if (retry !== undefined) clearTimeout(retry);
        await current.close();
      })();
      return closing;
    },
  };
}
