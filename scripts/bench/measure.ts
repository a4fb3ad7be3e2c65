/** Shared helpers for the benchmark scripts: runtime identification and best-of-N timing. */

export function runtimeLabel(): string {
  const g = globalThis as { Deno?: { version: { deno: string; v8: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno} (v8 ${g.Deno.version.v8})`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return typeof navigator !== "undefined" ? navigator.userAgent.replace("/", " ") : "unknown runtime";
}

/** Runs `run` `rounds` times after one warm-up and returns the median duration in ms. */
export async function medianMs(rounds: number, run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US");
}
