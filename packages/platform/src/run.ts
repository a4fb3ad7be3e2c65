import type { ExitStatus, Platform, SpawnOptions } from "./contract.ts";
import { PlatformError } from "./errors.ts";
import { readAll, toBytes } from "./streams.ts";

export interface RunOptions extends Omit<SpawnOptions, "stdin" | "stdout" | "stderr"> {
  /** Written to the child's stdin, which is then closed. */
  input?: Uint8Array | string;
  /** Kill the child (SIGKILL) after this many milliseconds and reject with `TimedOut`. */
  timeoutMs?: number;
}

export interface RunResult extends ExitStatus {
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly stdoutText: string;
  readonly stderrText: string;
}

/** Spawns a command, feeds it input, collects both output streams, and waits for its exit. */
export async function run(
  platform: Platform,
  command: string,
  args: string[] = [],
  opts: RunOptions = {},
): Promise<RunResult> {
  const { input, timeoutMs, ...spawnOpts } = opts;
  const child = platform.process.spawn(command, args, {
    ...spawnOpts,
    stdin: input === undefined ? "null" : "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, timeoutMs);
  try {
    const feeding = input !== undefined && child.stdin ? feed(child.stdin, toBytes(input)) : Promise.resolve();
    const [stdout, stderr, status] = await Promise.all([
      readAll(child.stdout),
      readAll(child.stderr),
      child.status,
      feeding,
    ]);
    if (timedOut) {
      throw new PlatformError("TimedOut", `TimedOut: '${command}' did not exit within ${timeoutMs} ms and was killed`, {
        syscall: "run",
        path: command,
      });
    }
    const decoder = new TextDecoder();
    return { ...status, stdout, stderr, stdoutText: decoder.decode(stdout), stderrText: decoder.decode(stderr) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function feed(stdin: WritableStream<Uint8Array>, bytes: Uint8Array): Promise<void> {
  const writer = stdin.getWriter();
  try {
    await writer.write(bytes);
    await writer.close();
  } catch {
    // the child may exit without reading its input; that is its business, not an error of run()
  }
}
