import { describe, expect, it } from "vitest";
import { SharedExclusiveLock } from "../../src/resources/storage-lock.ts";

/** A promise with its resolve, to hold an operation open until the test lets it finish. */
function held(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("SharedExclusiveLock", () => {
  it("runs shared holders together, an exclusive one alone, and a later shared one after a waiting exclusive", async () => {
    const lock = new SharedExclusiveLock();
    const log: string[] = [];
    const [s1, s2, x, s3] = [held(), held(), held(), held()];
    const op = (name: string, gate: { promise: Promise<void> }) => async () => {
      log.push(`${name} start`);
      await gate.promise;
      log.push(`${name} end`);
    };
    const done = [
      lock.shared(op("s1", s1)),
      lock.shared(op("s2", s2)),
      lock.exclusive(op("x", x)),
      lock.shared(op("s3", s3)),
    ];
    await Promise.resolve();
    expect(log).toEqual(["s1 start", "s2 start"]);
    s3.resolve();
    s1.resolve();
    await done[0];
    expect(log).toEqual(["s1 start", "s2 start", "s1 end"]);
    s2.resolve();
    await done[1];
    // s3 came after the exclusive request: it waits for it rather than starving it.
    await Promise.resolve();
    expect(log).toEqual(["s1 start", "s2 start", "s1 end", "s2 end", "x start"]);
    x.resolve();
    await Promise.all(done);
    expect(log.slice(4)).toEqual(["x start", "x end", "s3 start", "s3 end"]);
  });

  it("releases on a failure and passes the result or the error through", async () => {
    const lock = new SharedExclusiveLock();
    await expect(lock.exclusive(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(lock.shared(async () => 1)).resolves.toBe(1);
    await expect(lock.exclusive(async () => 2)).resolves.toBe(2);
  });
});
