import type { ShutdownSignal, SignalsApi } from "@aral/platform";

/** Where a command writes: injected so tests capture it and every runtime prints the same way. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /**
   * Subscribes to the reader of this output going away (EPIPE: `aral run agent.mjs | head -2` once head has
   * exited); what is written after it is dropped. Fires once. Returns unsubscribe. An output whose reader cannot
   * go away (a test's) has none.
   */
  onReaderGone?(handler: () => void): () => void;
  /**
   * While stdout or stderr holds more than its reader has taken: a promise that settles once it drained (or can take
   * no more). A writer that waits on it is paced by the reader, as a program writing to a pipe is.
   */
  backlog?(): Promise<void> | undefined;
}

export const consoleOutput: Output = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** The exit code of a process that the reader of its output left: 128 + SIGPIPE, as the shell shows one killed by it. */
export const READER_GONE_EXIT_CODE = 141;

/** The part of process.stdout / process.stderr (Node, Deno and Bun alike) that processOutput uses. */
export interface StdioStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: "error", listener: (error: Error) => void): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

/** The process's own stdout and stderr as an Output that can wait for its reader (see flush). */
export interface ProcessOutput extends Output {
  /** The reader of stdout or stderr went away (EPIPE). */
  readonly readerGone: boolean;
  /**
   * The first write that failed for another reason than a reader that went away (EPIPE) or a terminal that hung up
   * (EIO): a full disk (ENOSPC), a file too large (EFBIG), a quota (EDQUOT). What was written after it is lost.
   */
  readonly writeFailure: { readonly stream: "stdout" | "stderr"; readonly code: string } | undefined;
  /**
   * Resolves once every line written has been taken by the reader, or the stream can take no more (its reader
   * went away). No time limit: like any program writing to a pipe, aral waits for a slow reader.
   */
  flush(): Promise<void>;
}

interface StreamState {
  readonly stream: StdioStream;
  /** The stream failed (EPIPE, EIO): nothing more is written to it. */
  closed: boolean;
  /** write() said the stream is over its buffer: settles at 'drain' (or when the stream fails or closes). */
  draining: Promise<void> | undefined;
  /** Settles whatever waits on the stream (drain, flush) when it fails. */
  readonly waiters: Set<() => void>;
}

function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * stdout and stderr through the runtime's `process` streams (Node, Deno and Bun all have them and all report a
 * write to a pipe nobody reads as an 'error' event, EPIPE; their console.log crashes on it (Node) or swallows it
 * (Deno, Bun)). A line written after its stream failed is dropped: a crash on EPIPE would leave a supervised agent
 * without its supervisor.
 */
export function processOutput(
  stdout: StdioStream = process.stdout,
  stderr: StdioStream = process.stderr,
): ProcessOutput {
  const handlers = new Set<() => void>();
  let readerGone = false;
  let writeFailure: ProcessOutput["writeFailure"];

  const fail = (state: StreamState, error: unknown): void => {
    state.closed = true;
    for (const settle of [...state.waiters]) settle();
    const code = (error as { code?: unknown } | null)?.code;
    if (!isBrokenPipe(error) && code !== "EIO" && writeFailure === undefined)
      writeFailure = {
        stream: state === states[0] ? "stdout" : "stderr",
        code: typeof code === "string" ? code : error instanceof Error ? error.message : String(error),
      };
    if (!isBrokenPipe(error) || readerGone) return;
    readerGone = true;
    for (const handler of [...handlers]) handler();
  };

  /** Resolves at the first of: `register` calling back, the stream failing, the stream closing. */
  const wait = (state: StreamState, register: (done: () => void) => void): Promise<void> =>
    new Promise<void>((resolve) => {
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        state.waiters.delete(done);
        state.stream.off("close", done);
        resolve();
      };
      state.waiters.add(done);
      state.stream.once("close", done);
      if (state.closed) done();
      else register(done);
    });

  const states = [stdout, stderr].map((stream): StreamState => {
    const state: StreamState = { stream, closed: false, draining: undefined, waiters: new Set() };
    stream.on("error", (error) => fail(state, error));
    return state;
  });

  const write = (state: StreamState, line: string): void => {
    if (state.closed) return;
    let accepted: boolean;
    try {
      accepted = state.stream.write(`${line}\n`);
    } catch (error) {
      fail(state, error);
      return;
    }
    // Bun's process.stdout calls a write's callback before the bytes are out, but says false and emits 'drain'
    if (accepted || state.draining) return;
    const draining: Promise<void> = wait(state, (done) => state.stream.once("drain", done)).then(() => {
      if (state.draining === draining) state.draining = undefined;
    });
    state.draining = draining;
  };

  return {
    out: (line) => write(states[0]!, line),
    err: (line) => write(states[1]!, line),
    onReaderGone(handler) {
      const once = (): void => {
        handlers.delete(once);
        handler();
      };
      handlers.add(once);
      return () => void handlers.delete(once);
    },
    get readerGone() {
      return readerGone;
    },
    get writeFailure() {
      return writeFailure;
    },
    backlog: () => states[0]!.draining ?? states[1]!.draining,
    async flush() {
      for (const state of states) {
        while (state.draining !== undefined) await state.draining;
        // the callback of an empty write runs once every earlier write is out (Node; Deno writes at once)
        await wait(state, (done) => {
          try {
            state.stream.write("", () => done());
          } catch (error) {
            fail(state, error);
          }
        });
      }
    },
  };
}

const SIGNAL_NUMBERS: Record<ShutdownSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * The code to exit with once the output has reached its reader: process.exit() drops what a pipe has not taken
 * yet (Node; Bun's process.stdout), so `aral run agent.mjs | slow-reader` lost the agent's last lines. aral waits
 * for a slow reader like any program writing to a pipe; the reader going away (EPIPE) ends the wait, and so does
 * SIGINT, SIGTERM or SIGHUP (128 + its number). 141 (128 + SIGPIPE) when the reader went away. Output that could
 * not be written (writeFailure: a full disk) fails the command: 1 instead of 0, said on stderr when stdout failed.
 */
export async function exitCodeAfterFlush(output: ProcessOutput, signals: SignalsApi, code: number): Promise<number> {
  let unsubscribe: (() => void)[] = [];
  try {
    const signalled = new Promise<number>((resolve) => {
      unsubscribe = (Object.keys(SIGNAL_NUMBERS) as ShutdownSignal[]).map((signal) =>
        signals.on(signal, () => resolve(128 + SIGNAL_NUMBERS[signal])),
      );
    });
    const interrupted = await Promise.race([output.flush().then(() => undefined), signalled]);
    if (interrupted !== undefined) return interrupted;
    if (output.readerGone) return READER_GONE_EXIT_CODE;
    const failure = output.writeFailure;
    if (failure === undefined) return code;
    // `aral export ... > /dev/full` printed nothing and exited 0: the output is lost, so the command failed
    if (failure.stream === "stdout") {
      output.err(`aral: cannot write to stdout: ${failure.code}; the output is incomplete`);
      const again = await Promise.race([output.flush().then(() => undefined), signalled]);
      if (again !== undefined) return again;
    }
    return code === 0 ? 1 : code;
  } finally {
    for (const off of unsubscribe) off();
  }
}
