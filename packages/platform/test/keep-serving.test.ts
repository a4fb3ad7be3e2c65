import { describe, expect, it } from "vitest";
import {
  EXHAUSTION_QUIET_MS,
  exhaustionLog,
  isDescriptorExhaustion,
  softOpenFileLimit,
  watchDescriptorUse,
} from "../src/descriptor-exhaustion.ts";
import type { ServeBinding } from "../src/derive-serve.ts";
import { keepServing } from "../src/keep-serving.ts";

/** Polls `condition` until it holds; fails after 5 s naming `what`. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("descriptor exhaustion", () => {
  it("recognises EMFILE/ENFILE as each runtime reports them, and nothing else", () => {
    expect(isDescriptorExhaustion(Object.assign(new Error("accept"), { code: "EMFILE" }))).toBe(true);
    expect(isDescriptorExhaustion(new Error("Error: Too many open files (os error 24)"))).toBe(true); // Deno
    expect(isDescriptorExhaustion(Object.assign(new Error("x"), { code: "ENFILE" }))).toBe(true);
    expect(isDescriptorExhaustion(new Error("Connection reset by peer (os error 104)"))).toBe(false);
    expect(isDescriptorExhaustion(undefined)).toBe(false);
  });

  it("logs once per burst: again only after a quiet spell", () => {
    const lines: string[] = [];
    let now = 0;
    const log = exhaustionLog(
      "127.0.0.1:80",
      (line) => lines.push(line),
      () => now,
    );
    expect([log.report("a"), log.report("b")]).toEqual([true, false]);
    now += EXHAUSTION_QUIET_MS - 1;
    expect(log.report("c")).toBe(false); // still the same burst: the spell restarts at each report
    now += EXHAUSTION_QUIET_MS;
    expect(log.report("d")).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^serve: out of file descriptors on 127\.0\.0\.1:80 \(a\)/);
  });

  it("reads the soft open-file limit from /proc/self/limits text", () => {
    const limits =
      "Limit                     Soft Limit           Hard Limit           Units\nMax open files            256                  1048576              files\n";
    expect(softOpenFileLimit(limits)).toBe(256);
    expect(softOpenFileLimit(limits.replace("256 ", "unlimited "))).toBeUndefined();
    expect(softOpenFileLimit("Max processes 10 10 processes\n")).toBeUndefined();
  });

  it("watchDescriptorUse says once when descriptors run short, or when counting them finds none left", async () => {
    const lines: string[] = [];
    let samples = 0;
    let open: number | "EMFILE" = 10;
    const stop = watchDescriptorUse(
      "127.0.0.1:80",
      100,
      () => {
        samples++;
        if (open === "EMFILE")
          throw Object.assign(new Error("EMFILE: too many open files, scandir"), { code: "EMFILE" });
        return open;
      },
      { intervalMs: 2, log: (line) => lines.push(line) },
    );
    try {
      await until("three samples", () => samples >= 3);
      expect(lines).toEqual([]); // 10 of 100: nothing to say
      open = 96;
      await until("the report", () => lines.length > 0);
      expect(lines[0]).toMatch(/out of file descriptors on 127\.0\.0\.1:80 \(96 of 100 descriptors open\)/);
      open = "EMFILE";
      const seen = samples;
      await until("three more samples", () => samples >= seen + 3);
      expect(lines).toHaveLength(1); // the same burst
    } finally {
      stop();
    }
    const stoppedAt = samples;
    await new Promise((resolve) => setTimeout(resolve, 20)); // a few intervals, to see that none runs after stop()
    expect(samples).toBe(stoppedAt);
  });

  it("watchDescriptorUse with a limit reader: read on the first sample, again while descriptors run out, never after a number", async () => {
    const lines: string[] = [];
    const reads: string[] = [];
    let samples = 0;
    let readable: "EMFILE" | "ok" = "EMFILE";
    const stop = watchDescriptorUse(
      "127.0.0.1:81",
      () => {
        reads.push(readable);
        if (readable === "EMFILE")
          throw Object.assign(new Error("EMFILE: too many open files, open"), { code: "EMFILE" });
        return 100;
      },
      () => {
        samples++;
        return 97;
      },
      { intervalMs: 2, log: (line) => lines.push(line) },
    );
    expect(reads).toEqual([]); // nothing read before the first sample
    try {
      await until("a read that found no descriptor", () => reads.length >= 1);
      expect(lines[0]).toMatch(/out of file descriptors on 127\.0\.0\.1:81 \(all descriptors in use\)/);
      expect(samples).toBe(0);
      readable = "ok";
      await until("three samples", () => samples >= 3);
      expect(reads.filter((r) => r === "ok")).toHaveLength(1);
      expect(lines).toHaveLength(1); // 97 of 100 continues the same burst
    } finally {
      stop();
    }
  });

  it("watchDescriptorUse stops sampling when the reader finds no limit or nothing to read", async () => {
    for (const reader of [
      () => undefined,
      () => {
        throw Object.assign(new Error("ENOENT: no such file or directory, open '/proc/self/limits'"), {
          code: "ENOENT",
        });
      },
    ]) {
      let reads = 0;
      let samples = 0;
      const stop = watchDescriptorUse(
        "127.0.0.1:82",
        () => {
          reads++;
          return reader();
        },
        () => ++samples,
        { intervalMs: 2, log: () => {} },
      );
      try {
        await until("the first read", () => reads >= 1);
        await new Promise((resolve) => setTimeout(resolve, 20)); // a few intervals, to see that none reads again
        expect({ reads, samples }).toEqual({ reads: 1, samples: 0 });
      } finally {
        stop();
      }
    }
  });

  it("binds again on the same port after the server died of exhaustion, and close() closes the new binding", async () => {
    const fake = () => {
      let fail!: (error: unknown) => void;
      const binding = {
        hostname: "127.0.0.1",
        port: 4321,
        closed: false,
        failed: new Promise<unknown>((resolve) => (fail = resolve)),
        async close() {
          binding.closed = true;
        },
      };
      return { binding, fail: (error: unknown) => fail(error) };
    };
    const first = fake();
    const second = fake();
    const ports: number[] = [];
    let rebound!: () => void;
    const rebindDone = new Promise<void>((resolve) => (rebound = resolve));
    const served = keepServing(first.binding as ServeBinding, async (port) => {
      ports.push(port);
      queueMicrotask(rebound);
      return second.binding as ServeBinding;
    });
    first.fail(new Error("Too many open files (os error 24)"));
    await rebindDone;
    expect(ports).toEqual([4321]);
    await served.close();
    expect(second.binding.closed).toBe(true);
  });
});
