import { describe, expect, it } from "vitest";
import { EXHAUSTION_QUIET_MS, exhaustionLog, isDescriptorExhaustion } from "../src/descriptor-exhaustion.ts";
import type { ServeBinding } from "../src/derive-serve.ts";
import { keepServing } from "../src/keep-serving.ts";

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
