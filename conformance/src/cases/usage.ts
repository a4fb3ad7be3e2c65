import { atLeast, atMost, ok } from "../harness/assert.ts";
import { defineCases, type ConformanceCase } from "../harness/case.ts";

const MiB = 1024 * 1024;

export const usageCases: ConformanceCase[] = defineCases([
  {
    name: "usage: memory() reports byte counts (rss > 1 MiB, heapUsed ≤ heapTotal)",
    capability: "usage",
    run({ platform }) {
      const m = platform.usage.memory();
      for (const key of ["rss", "heapUsed", "heapTotal", "external"] as const) {
        ok(
          typeof m[key] === "number" && Number.isFinite(m[key]) && m[key] >= 0,
          `memory().${key} must be a finite number ≥ 0, got ${m[key]}`,
        );
      }
      atLeast(m.rss, MiB, "memory().rss in bytes");
      atMost(m.rss, 2 ** 50, "memory().rss in bytes");
      atLeast(m.heapUsed, 1, "memory().heapUsed in bytes");
    },
  },
  {
    name: "usage: memory() rises while 64 MiB+ of filled Uint8Arrays are kept alive",
    capability: "usage",
    timeoutMs: 20_000,
    run({ platform }) {
      // Memory freed by earlier cases may still be resident and get reused, so keep allocating
      // (64 MiB, then 16 MiB steps up to 256 MiB) until the rise shows; a frozen reading never does.
      const before = platform.usage.memory();
      const kept: Uint8Array[] = [];
      const rise = (m: ReturnType<typeof platform.usage.memory>) =>
        Math.max(m.rss - before.rss, m.external - before.external, m.heapUsed - before.heapUsed);
      let after = before;
      while (kept.length < 256) {
        for (let i = 0; i < (kept.length === 0 ? 64 : 16); i++) {
          const block = new Uint8Array(MiB);
          for (let j = 0; j < block.length; j += 4096) block[j] = ((kept.length + j) & 0xff) | 1;
          kept.push(block);
        }
        after = platform.usage.memory();
        if (rise(after) >= 32 * MiB) break;
      }
      let checksum = 0;
      for (const block of kept) checksum += block[0]!;
      ok(checksum > 0, "the kept blocks are alive");
      atLeast(
        rise(after),
        32 * MiB,
        `memory() rise in bytes with ${kept.length} MiB kept alive (rss ${before.rss}→${after.rss}, external ${before.external}→${after.external}, heapUsed ${before.heapUsed}→${after.heapUsed})`,
      );
    },
  },
  {
    // Spins until the process has used 50 ms of CPU (at most 5 s of wall time), so a loaded machine that gives
    // the loop only a slice of a core slows the case down instead of failing it.
    name: "usage: cpu() userMicros rises by the CPU time of a busy loop (in microseconds)",
    capability: "usage",
    timeoutMs: 20_000,
    run({ platform }) {
      const before = platform.usage.cpu();
      ok(
        Number.isFinite(before.userMicros) &&
          before.userMicros >= 0 &&
          Number.isFinite(before.systemMicros) &&
          before.systemMicros >= 0,
        `cpu() must be finite, non-negative numbers, got ${JSON.stringify(before)}`,
      );
      const start = performance.now();
      let spin = 0;
      let after = before;
      while (after.userMicros - before.userMicros < 50_000 && performance.now() - start < 5_000) {
        for (let i = 0; i < 20_000; i++) spin += Math.sqrt(spin + 1);
        after = platform.usage.cpu();
      }
      const wallMs = performance.now() - start;
      ok(spin > 0, "busy loop ran");
      const userRise = after.userMicros - before.userMicros;
      atLeast(after.systemMicros, before.systemMicros, "cpu().systemMicros is cumulative (never decreases)");
      atLeast(
        userRise,
        50_000,
        `cpu().userMicros rise over a ${Math.round(wallMs)} ms busy loop (it spins until 50 000 µs or 5 s)`,
      );
      atMost(
        userRise,
        wallMs * 1000 * Math.max(1, platform.runtime.cpus) + 100_000,
        `cpu().userMicros rise over a ${Math.round(wallMs)} ms busy loop (microseconds, not nanoseconds)`,
      );
    },
  },
]);
