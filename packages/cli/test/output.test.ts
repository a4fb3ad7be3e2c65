// processOutput over Node streams whose writes complete when the test says (a reader that takes its time), and
// that fail as a pipe does (EPIPE) or a terminal that hung up does (EIO). The real stdout of a real process on
// each runtime: run-stdio-signals.test.ts.
import { Writable } from "node:stream";
import type { ShutdownSignal, SignalsApi } from "@aral/platform";
import { describe, expect, it } from "vitest";
import { exitCodeAfterFlush, processOutput, READER_GONE_EXIT_CODE } from "../src/output.ts";

/**
 * A stream with a 16-byte buffer whose reader takes nothing until read() - then everything, as it comes;
 * fail() errors it as the OS would.
 */
function slowStream() {
  let held: (() => void) | undefined;
  let reading = false;
  let written = "";
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      const take = () => {
        written += chunk.toString();
        callback();
      };
      if (reading) setImmediate(take);
      else held = take; // a Writable has one write under way at a time
    },
  });
  return {
    stream,
    written: () => written,
    read: () => {
      reading = true;
      held?.();
      held = undefined;
    },
    fail: (code: string) => stream.destroy(Object.assign(new Error(`write ${code}`), { code })),
  };
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  // a macrotask turn: every callback that was ready has run
  await new Promise<void>((resolve) => setImmediate(resolve));
  return done;
};

const noSignals: SignalsApi = { on: () => () => {} };

describe("processOutput", () => {
  it("flush() resolves only once every line has been taken by the reader", async () => {
    const [stdout, stderr] = [slowStream(), slowStream()];
    const output = processOutput(stdout.stream, stderr.stream);
    output.out("a line far longer than the buffer");
    output.out("LAST LINE");
    output.err("to stderr");
    const flushed = output.flush();
    expect(await settled(flushed)).toBe(false);
    stdout.read();
    expect(await settled(flushed)).toBe(false); // stderr still holds its line
    stderr.read();
    await flushed;
    expect(stdout.written()).toBe("a line far longer than the buffer\nLAST LINE\n");
    expect(stderr.written()).toBe("to stderr\n");
    expect(output.readerGone).toBe(false);
  });

  it("EPIPE: onReaderGone fires once, later lines are dropped, flush() does not wait, the exit code is 141", async () => {
    const [stdout, stderr] = [slowStream(), slowStream()];
    const output = processOutput(stdout.stream, stderr.stream);
    const fired: string[] = [];
    output.onReaderGone?.(() => fired.push("first"));
    const off = output.onReaderGone?.(() => fired.push("unsubscribed"));
    off?.();
    output.out("held by the reader that goes away");
    stdout.fail("EPIPE");
    await new Promise<void>((resolve) => stdout.stream.once("close", resolve));
    output.out("dropped");
    stderr.fail("EPIPE");
    expect(fired).toEqual(["first"]);
    expect(output.readerGone).toBe(true);
    expect(await exitCodeAfterFlush(output, noSignals, 0)).toBe(READER_GONE_EXIT_CODE);
    expect(stdout.written()).toBe("");
  });

  it("another write error (EIO: the terminal hung up) drops the stream's lines quietly: not a reader gone", async () => {
    const [stdout, stderr] = [slowStream(), slowStream()];
    const output = processOutput(stdout.stream, stderr.stream);
    let fired = false;
    output.onReaderGone?.(() => (fired = true));
    stderr.fail("EIO");
    await new Promise<void>((resolve) => stderr.stream.once("close", resolve));
    output.err("dropped");
    output.out("kept");
    const code = exitCodeAfterFlush(output, noSignals, 7);
    expect(await settled(code)).toBe(false);
    stdout.read();
    expect(await code).toBe(7);
    expect(fired).toBe(false);
    expect(stdout.written()).toBe("kept\n");
  });

  it("stdout that cannot be written (ENOSPC: > /dev/full) fails the command: exit 1 with a line on stderr; a failing code is kept", async () => {
    for (const [given, expected] of [
      [0, 1],
      [3, 3],
    ] as const) {
      const [stdout, stderr] = [slowStream(), slowStream()];
      stderr.read();
      const output = processOutput(stdout.stream, stderr.stream);
      output.out("the objects");
      stdout.fail("ENOSPC");
      await new Promise<void>((resolve) => stdout.stream.once("close", resolve));
      expect(output.readerGone).toBe(false);
      expect(output.writeFailure).toEqual({ stream: "stdout", code: "ENOSPC" });
      expect(await exitCodeAfterFlush(output, noSignals, given)).toBe(expected);
      expect(stderr.written()).toBe("aral: cannot write to stdout: ENOSPC; the output is incomplete\n");
    }
    // stderr full: nobody can be told, the exit code says it
    const [stdout, stderr] = [slowStream(), slowStream()];
    stdout.read();
    const output = processOutput(stdout.stream, stderr.stream);
    stderr.fail("EDQUOT");
    await new Promise<void>((resolve) => stderr.stream.once("close", resolve));
    expect(await exitCodeAfterFlush(output, noSignals, 0)).toBe(1);
  });

  it("SIGINT, SIGTERM or SIGHUP while waiting for a reader ends the wait with 128 + the signal's number", async () => {
    for (const [signal, number] of [
      ["SIGHUP", 1],
      ["SIGINT", 2],
      ["SIGTERM", 15],
    ] as const) {
      const handlers = new Map<ShutdownSignal, () => void>();
      const signals: SignalsApi = {
        on: (name, handler) => {
          handlers.set(name, handler);
          return () => handlers.delete(name);
        },
      };
      const stdout = slowStream();
      const output = processOutput(stdout.stream, slowStream().stream);
      output.out("never taken");
      const code = exitCodeAfterFlush(output, signals, 0);
      expect(await settled(code)).toBe(false);
      handlers.get(signal)!();
      expect(await code).toBe(128 + number);
      expect(handlers.size, "unsubscribed").toBe(0);
    }
  });
});
