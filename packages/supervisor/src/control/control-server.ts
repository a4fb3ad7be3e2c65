import { isPlatformError } from "@aral/platform";
import type { Platform, UnixConnection, UnixListener } from "@aral/platform";
import { readLastLines } from "../logs/read-log.ts";
import { UnknownAgentError, type Fleet } from "../fleet/fleet.ts";
import { readLines, writeJsonLine } from "./line-stream.ts";
import {
  ControlRequestError,
  MAX_REQUEST_BYTES,
  parseControlRequest,
  type ControlFollowMessage,
  type ControlRequest,
  type ControlResponse,
} from "./protocol.ts";
import { ensureControlDir, socketPath } from "./socket-path.ts";

const DEFAULT_LOG_LINES = 100;
/** A follower further behind than this many queued writes loses lines (it is told how many). */
const FOLLOW_BACKLOG = 1_000;
/** How long close() waits for a follower to take the fleet's last message before hanging up anyway. */
const FOLLOW_END_TIMEOUT_MS = 1_000;

export interface ControlServerOptions {
  /** Directory of the socket (see controlDir). */
  dir: string;
  /** Called after `down` has stopped every agent and the answer has been sent. */
  onDown?: () => void;
}

/** Another `aral up` already serves this fleet's socket. */
export class FleetAlreadyRunningError extends Error {
  override readonly name = "FleetAlreadyRunningError";
  readonly path: string;
  constructor(path: string) {
    super(
      `a fleet is already running with control socket ${path}; stop it (aral down) or give this fleet another name`,
    );
    this.path = path;
  }
}

/** The control socket cannot be made at its path (too long for a Unix socket, or something else is there). */
export class ControlSocketPathError extends Error {
  override readonly name = "ControlSocketPathError";
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/**
 * The fleet's control channel: a Unix socket (mode 0600, in a 0700 directory) that only the fleet's user can
 * reach, speaking the line-delimited JSON protocol of protocol.ts.
 */
export class ControlServer {
  readonly path: string;
  readonly #platform: Platform;
  readonly #fleet: Fleet;
  readonly #options: ControlServerOptions;
  #listener: UnixListener | undefined;
  readonly #open = new Set<UnixConnection>();
  /** Each follow under way: tells its client that the fleet stopped (close()). */
  readonly #followers = new Set<() => Promise<void>>();

  constructor(platform: Platform, fleet: Fleet, options: ControlServerOptions) {
    this.#platform = platform;
    this.#fleet = fleet;
    this.#options = options;
    this.path = socketPath(options.dir, fleet.spec.name);
  }

  async listen(): Promise<void> {
    // sun_path holds 108 bytes on Linux (104 on macOS and the BSDs), its NUL included; listen() said only EINVAL
    const limit = this.#platform.runtime.os === "linux" ? 107 : 103;
    const bytes = new TextEncoder().encode(this.path).byteLength;
    if (bytes > limit)
      throw new ControlSocketPathError(
        this.path,
        `the control socket path ${this.path} is ${bytes} bytes, more than the ${limit} a Unix socket path can have: set ARAL_CONTROL_DIR to a shorter directory or give the fleet a shorter name`,
      );
    await ensureControlDir(this.#platform, this.#options.dir);
    const existing = await this.#platform.fs.lstat(this.path).catch(() => undefined);
    // Only a socket is replaced: a file, directory or symlink of that name is not a dead fleet's, and is left alone.
    if (existing !== undefined && (existing.isFile || existing.isDirectory || existing.isSymlink))
      throw new ControlSocketPathError(
        this.path,
        `${this.path} exists and is not a socket (a ${existing.isFile ? "file" : existing.isDirectory ? "directory" : "symlink"}): it is left alone; move it away or give the fleet another name`,
      );
    if (existing !== undefined) {
      let live = false;
      try {
        (await this.#platform.net.connectUnix(this.path)).close();
        live = true;
      } catch {
        // a socket left behind by a fleet that died: replaced below
      }
      if (live) throw new FleetAlreadyRunningError(this.path);
      // an `aral ps` that found it stale may have removed it already
      await this.#platform.fs.remove(this.path).catch((error: unknown) => {
        if (!isPlatformError(error, "NotFound")) throw error;
      });
    }
    this.#listener = await this.#platform.net.listenUnix(this.path, (connection) => void this.#serve(connection), {
      mode: 0o600,
    });
  }

  /** Tells each `logs --follow` client that the fleet stopped, then hangs up on every client and stops listening. */
  async close(): Promise<void> {
    await Promise.all([...this.#followers].map((end) => end()));
    for (const connection of this.#open) connection.close();
    await this.#listener?.close();
  }

  async #serve(connection: UnixConnection): Promise<void> {
    this.#open.add(connection);
    const writer = connection.writable.getWriter();
    const lines = readLines(connection, MAX_REQUEST_BYTES);
    let request: ControlRequest | undefined;
    try {
      const first = await lines.next();
      if (first.done) return;
      request = parseControlRequest(first.value);
      if (request.command === "logs" && request.follow) return await this.#follow(request, writer, lines);
      const response = await this.#answer(request);
      await writeJsonLine(writer, response);
      if (request.command === "down" && response.ok) this.#options.onDown?.();
    } catch (error) {
      const body =
        error instanceof ControlRequestError
          ? error.toBody()
          : error instanceof RangeError
            ? { code: "malformed" as const, message: `the request is longer than ${MAX_REQUEST_BYTES} bytes` }
            : {
                code: "failed" as const,
                ...(request ? { command: request.command } : {}),
                message: error instanceof Error ? error.message : String(error),
              };
      await writeJsonLine(writer, { ok: false, error: body } satisfies ControlResponse).catch(() => {});
    } finally {
      await writer.close().catch(() => {});
      connection.close();
      this.#open.delete(connection);
    }
  }

  async #answer(request: ControlRequest): Promise<ControlResponse> {
    const fleet = this.#fleet;
    const { command } = request;
    try {
      switch (command) {
        case "ps":
          return { ok: true, result: { fleet: fleet.spec.name, instances: fleet.status(request.agent) } };
        case "logs": {
          const log = fleet.log(request.agent!);
          await log.flush();
          return {
            ok: true,
            result: { lines: await readLastLines(this.#platform, log.paths, request.lines ?? DEFAULT_LOG_LINES) },
          };
        }
        case "restart":
          return this.#report(command, await fleet.restart(request.agent!));
        case "reload":
          return this.#report(command, await fleet.reload(request.agent!));
        case "stop":
          await fleet.stop(request.agent!);
          return { ok: true, result: { agent: request.agent, instances: fleet.status(request.agent) } };
        case "down":
          await fleet.down();
          return { ok: true, result: { fleet: fleet.spec.name, stopped: fleet.agentNames } };
      }
    } catch (error) {
      if (error instanceof UnknownAgentError)
        throw new ControlRequestError("unknown-agent", `${command}: ${error.message}`, command);
      throw error;
    }
  }

  #report(
    command: string,
    report: { agent: string; ready: number; instances: number; error?: string },
  ): ControlResponse {
    if (report.error === undefined) return { ok: true, result: report };
    return {
      ok: false,
      error: {
        code: "failed",
        command,
        message: `${command} ${report.agent}: ${report.ready} of ${report.instances} instance(s) ready: ${report.error}`,
      },
    };
  }

  async #follow(
    request: ControlRequest,
    writer: WritableStreamDefaultWriter<Uint8Array>,
    lines: AsyncGenerator<string>,
  ): Promise<void> {
    let log;
    try {
      log = this.#fleet.log(request.agent!);
    } catch (error) {
      if (error instanceof UnknownAgentError)
        throw new ControlRequestError("unknown-agent", `logs: ${error.message}`, "logs");
      throw error;
    }
    let backlog = 0;
    let skipped = 0;
    let ended = false;
    const send = (value: ControlFollowMessage): void => {
      if (ended) return;
      if (backlog >= FOLLOW_BACKLOG) {
        skipped += 1;
        return;
      }
      if (skipped > 0) {
        const note = { skipped };
        skipped = 0;
        backlog += 1;
        void writeJsonLine(writer, note).then(
          () => backlog--,
          () => backlog--,
        );
      }
      backlog += 1;
      void writeJsonLine(writer, value).then(
        () => backlog--,
        () => backlog--,
      );
    };
    // Lines queued while the last lines are read: the newest FOLLOW_BACKLOG are kept (a ring), older ones only
    // counted (an agent writing faster than its log is written would otherwise fill memory before the follow begins).
    const ring: string[] = [];
    let ringStart = 0;
    let overflow = 0;
    let live = false;
    const unsubscribe = log.subscribe((line) => {
      if (live) send({ line });
      else if (ring.length < FOLLOW_BACKLOG) ring.push(line);
      else {
        ring[ringStart] = line;
        ringStart = (ringStart + 1) % FOLLOW_BACKLOG;
        overflow += 1;
      }
    });
    // the last message, after every line queued before it; a client that does not read is not waited for long
    const end = async (): Promise<void> => {
      if (ended) return;
      ended = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        writeJsonLine(writer, { end: "fleet-stopped" } satisfies ControlFollowMessage).catch(() => {}),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, FOLLOW_END_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    };
    try {
      await log.flush();
      const recent = await readLastLines(this.#platform, log.paths, request.lines ?? DEFAULT_LOG_LINES);
      await writeJsonLine(writer, { ok: true, result: { lines: recent, follow: true } } satisfies ControlResponse);
      this.#followers.add(end);
      const buffered = [...ring.slice(ringStart), ...ring.slice(0, ringStart)];
      ring.length = 0;
      // Lines queued while the files were read may be in both: what follows the file's last line is sent. When the
      // file's last line is older than every line kept, the ones between were not kept: skipped (the file has them).
      const at = recent.length > 0 ? buffered.lastIndexOf(recent[recent.length - 1]!) : -1;
      if (at < 0) skipped += overflow;
      live = true;
      for (const line of buffered.slice(at + 1)) send({ line });
      // until the client hangs up (it sends nothing more)
      for await (const _ of lines) {
        // ignored
      }
    } catch (error) {
      if (!isPlatformError(error)) throw error;
    } finally {
      this.#followers.delete(end);
      unsubscribe();
    }
  }
}
