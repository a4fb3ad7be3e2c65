/**
 * The Platform contract: everything core needs from a JavaScript runtime.
 * Adapters map it onto their runtime; core builds every behaviour on top of it.
 * Every method's behaviour is pinned by @aral/conformance.
 *
 * Failures of the runtime (a missing file, a busy port, a command that cannot start) are reported as
 * PlatformError with a stable `code`. Misuse by the caller (a path that is not a string, an unknown
 * stdio mode, a port outside 0-65535) throws a TypeError naming the bad argument, on every adapter:
 * adapters return `guardPlatform({...})` (platform/guard.ts), which checks every argument once, in core.
 */

export type RuntimeName = "node" | "deno" | "bun" | (string & {});

export interface RuntimeInfo {
  readonly name: RuntimeName;
  /** The runtime's own version, without a leading "v" (e.g. "22.23.3", "2.9.6", "1.4.5"). */
  readonly version: string;
  /** "linux" | "darwin" | "windows" | ... */
  readonly os: string;
  /** "x64" | "arm64" | ... */
  readonly arch: string;
  /** Logical CPU cores the machine offers this process. */
  readonly cpus: number;
  /** The machine's host name (what pino writes as `hostname`); "" when the runtime may not read it. */
  readonly hostname: string;
}

export interface FileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  readonly size: number;
  /** Last modification of the content (st_mtime): moved by a write, never by a read (it is not atime). */
  readonly mtime: Date | null;
  /** Unix permission bits only (within 0o7777: 0o600, not 0o100600), or null where the runtime cannot tell. */
  readonly mode: number | null;
}

export interface DirEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

/** Bytes of the file system holding the path, as `df` counts them. */
export interface DiskUsage {
  readonly total: number;
  /** Every free byte, including those reserved for the superuser. */
  readonly free: number;
  /** What an unprivileged process may still write (df's "Available"): at most `free`. */
  readonly available: number;
}

export interface WriteFileOptions {
  append?: boolean;
  /** Permission bits for a newly created file. */
  mode?: number;
}

export interface ReadFileOptions {
  /** Refuse (rather than follow) a symlink as the last component of `path` (O_NOFOLLOW). */
  noFollow?: boolean;
}

/**
 * A directory held open by descriptor. Names joined to `path` resolve inside the directory that was
 * opened, whatever later happens to the path it was opened by (a parent renamed or swapped for a symlink).
 */
export interface DirHandle {
  /** A path naming the opened directory itself (Linux: `/proc/self/fd/<fd>`); `realPath` where the OS has no such path. */
  readonly path: string;
  /** Canonical absolute path of the opened directory, read through the descriptor, not from the path it was opened by. */
  readonly realPath: string;
  /** True when `path` is bound to the descriptor (race-free); false when it is only `realPath` at open time. */
  readonly pinned: boolean;
  /** Identity of the opened directory ("<device>:<inode>"): the same however it is spelled, and across renames. */
  readonly id: string;
  close(): Promise<void>;
}

/**
 * Bytes (readFile, the chunks of openRead and of a child's output streams) are plain Uint8Arrays, never a subclass
 * such as Node's Buffer.
 */
export interface FileSystem {
  /** A plain Uint8Array (see above). */
  readFile(path: string, opts?: ReadFileOptions): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  writeFile(path: string, data: Uint8Array | string, opts?: WriteFileOptions): Promise<void>;
  /** Follows symlinks. */
  stat(path: string): Promise<FileInfo>;
  /** Does not follow a final symlink. */
  lstat(path: string): Promise<FileInfo>;
  exists(path: string): Promise<boolean>;
  /** Without `recursive`, an existing path is `AlreadyExists`; with it, an existing directory is fine. */
  mkdir(path: string, opts?: { recursive?: boolean; mode?: number }): Promise<void>;
  readDir(path: string): Promise<DirEntry[]>;
  /** Without `recursive`, a non-empty directory is `NotEmpty`. A missing path is `NotFound`, with `recursive` too. */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** A missing source is `NotFound` naming `from` (the error's path is `from`, not `to`). */
  rename(from: string, to: string): Promise<void>;
  /** Canonical absolute path with every symlink resolved. */
  realPath(path: string): Promise<string>;
  symlink(target: string, path: string): Promise<void>;
  makeTempDir(opts?: { prefix?: string }): Promise<string>;
  /**
   * Reads as the consumer pulls: a slow reader loses nothing. Cancelling the stream closes the file descriptor
   * (by the time cancel() settles, or a moment later; never only when the stream is garbage-collected). A read that
   * fails once the stream is handed out errors it with a PlatformError naming `path` (the bytes before it delivered;
   * never an early end that looks like the whole file), and closes the descriptor: an errored stream cannot be
   * cancelled.
   */
  openRead(path: string): Promise<ReadableStream<Uint8Array>>;
  /** Creates or truncates the file. Data is on disk once the stream's close() resolves; abort() closes the file. */
  openWrite(path: string): Promise<WritableStream<Uint8Array>>;
  diskUsage(path: string): Promise<DiskUsage>;
  /** Opens a directory (symlinks on the way are followed) and holds it until close(). NotFound, NotADirectory. */
  openDir(path: string): Promise<DirHandle>;
}

export type StdioMode = "pipe" | "inherit" | "null";
export type ProcessSignal = "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP";

export interface SpawnOptions {
  cwd?: string;
  /** Added to (or, with clearEnv, the whole of) the child's environment. */
  env?: Record<string, string>;
  /** Start the child with only `env`, nothing inherited. */
  clearEnv?: boolean;
  /** Default "null". */
  stdin?: StdioMode;
  /** Default "pipe". */
  stdout?: StdioMode;
  /** Default "pipe". */
  stderr?: StdioMode;
  /** Aborting kills the child with SIGTERM. */
  signal?: AbortSignal;
}

export interface ExitStatus {
  /** Exit code, or null when the child was ended by a signal. */
  readonly code: number | null;
  /** Signal name ("SIGTERM", ...) when the child was ended by a signal, else null. */
  readonly signal: string | null;
  readonly success: boolean;
}

export interface ChildProcess {
  /** OS process id; 0 when the process never started. */
  readonly pid: number;
  /** Closing it after the child has exited settles at once (nothing is left to deliver); it never waits for a reader. */
  readonly stdin: WritableStream<Uint8Array> | null;
  /** With backpressure (the child's pipe fills while the reader is slow): a slow reader loses nothing. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  /**
   * Settles when the child has exited. `spawn()` itself never throws for a start failure:
   * a missing command rejects `status` with PlatformError `NotFound` (permission: `PermissionDenied`).
   */
  readonly status: Promise<ExitStatus>;
  /** Sends a signal; a no-op once the child has exited. */
  kill(signal?: ProcessSignal): void;
}

export type UncaughtKind = "exception" | "rejection";

export interface ProcessApi {
  spawn(command: string, args?: string[], opts?: SpawnOptions): ChildProcess;
  readonly pid: number;
  /**
   * The parent's process id, read at each access: when the parent dies the process is reparented (to init or a
   * subreaper) and this changes. Needs no permission on any runtime (Deno grants no /proc read without -A).
   */
  readonly ppid: number;
  cwd(): string;
  /** Arguments after the script: what the user passed. */
  readonly argv: string[];
  /** The runtime's own executable (node, deno or bun), for spawning a child of the same runtime. */
  readonly execPath: string;
  exit(code?: number): never;
  /**
   * Subscribes to uncaught exceptions and unhandled rejections. While at least one handler is
   * subscribed the runtime does not crash on them; the handler decides. Returns unsubscribe.
   * A write to a stdout or stderr whose reader went away (EPIPE) is not one of them: it is dropped, as Deno
   * and Bun drop it (a handler that logged it would write to the same pipe again).
   */
  onUncaught(handler: (error: unknown, kind: UncaughtKind) => void): () => void;
}

export interface EnvApi {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  has(key: string): boolean;
  toObject(): Record<string, string>;
}

export type ShutdownSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

export interface SignalsApi {
  /**
   * While a handler is subscribed the signal no longer ends the process by default. Returns unsubscribe.
   * Every call is a subscription of its own: the same function subscribed twice runs twice, and each unsubscribe
   * removes only its own subscription.
   */
  on(signal: ShutdownSignal, handler: () => void): () => void;
}

export interface ServeOptions {
  /** Default "127.0.0.1". */
  hostname?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Aborting closes the server as close() does. */
  signal?: AbortSignal;
}

export interface Server {
  readonly hostname: string;
  readonly port: number;
  /** e.g. "http://127.0.0.1:41234" */
  readonly url: string;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

/**
 * Answers one request, taking as long as it needs: no idle or request timeout of the runtime cuts a slow handler off.
 * `request.signal` aborts when the client disconnects before the response is complete (it may also abort once the
 * response is sent: Deno does). A streamed response body is pulled only as fast as the client reads it
 * (backpressure): a client that reads nothing leaves the stream unread beyond the socket buffers.
 */
export type RequestHandler = (request: Request) => Response | Promise<Response>;

/** One stream connection over a Unix domain socket (either end). */
export interface UnixConnection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Closes both directions at once; idempotent. */
  close(): void;
}

export interface UnixListenOptions {
  /** Permission bits of the socket file (e.g. 0o600: only the owner may connect). Default: the umask's. */
  mode?: number;
  /** Aborting closes the listener as close() does, socket file removed (at once when it is already aborted). */
  signal?: AbortSignal;
}

export interface UnixListener {
  readonly path: string;
  /** Stops accepting, removes the socket file; open connections stay until they close. */
  close(): Promise<void>;
}

export interface NetApi {
  fetch: typeof fetch;
  serve(handler: RequestHandler, opts?: ServeOptions): Promise<Server>;
  /**
   * Listens on a Unix domain socket at `path` (which must not exist: AlreadyExists/AddrInUse otherwise).
   * An OS without Unix sockets throws PlatformError `Unsupported`.
   */
  listenUnix(
    path: string,
    onConnection: (connection: UnixConnection) => void,
    opts?: UnixListenOptions,
  ): Promise<UnixListener>;
  /** Connects to a Unix domain socket: NotFound when nothing is there, PermissionDenied when the socket's mode refuses us. */
  connectUnix(path: string): Promise<UnixConnection>;
}

export interface MemoryUsage {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

export interface CpuUsage {
  /** Cumulative CPU time of this process, in microseconds. */
  readonly userMicros: number;
  readonly systemMicros: number;
}

export interface UsageApi {
  memory(): MemoryUsage;
  cpu(): CpuUsage;
}

export interface SpawnWorkerOptions {
  /** Shown in the runtime's diagnostics (thread name, error messages). */
  name?: string;
}

/**
 * A running worker (Web Worker semantics): messages are structured-clone data in both directions.
 * Events, on every adapter:
 * - an uncaught error (or unhandled rejection) in the worker ends it: onError, then onExit(1);
 * - a module that cannot be found: onError with PlatformError `NotFound`, then onExit(1) - `spawn()`
 *   itself does not throw for it (the module loads asynchronously on every runtime);
 * - the worker ending itself: onExit(its exit code) where the runtime tells (Node, Bun; Deno has no
 *   notification for a worker that calls `close()` itself);
 * - terminate(): onExit(null).
 * onExit fires exactly once; nothing fires after it. Messages the worker posted before it ended may
 * still arrive before onExit.
 */
export interface WorkerHandle {
  readonly name: string;
  /** Throws (DataCloneError) when the message cannot be cloned; a no-op once the worker is gone. */
  postMessage(message: unknown): void;
  /** Returns unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Returns unsubscribe. */
  onError(listener: (error: Error) => void): () => void;
  /** Fires once when the worker is gone: crashed, exited or terminated. Returns unsubscribe. */
  onExit(listener: (code: number | null) => void): () => void;
  /** Stops the worker at once (running code is cut off); resolves when it is gone. Idempotent. */
  terminate(): Promise<void>;
}

export interface WorkersApi {
  /**
   * Starts a worker running `module` (an ES module; a URL, or a path - relative paths resolve
   * against cwd()). The module sees Web worker globals: `postMessage`, `addEventListener("message")`,
   * `onmessage`, `self`. An adapter that cannot run workers throws PlatformError `Unsupported`.
   * A `module` that is not a string or URL throws TypeError.
   */
  spawn(module: string | URL, opts?: SpawnWorkerOptions): WorkerHandle;
}

export interface Platform {
  readonly runtime: RuntimeInfo;
  readonly fs: FileSystem;
  readonly process: ProcessApi;
  readonly env: EnvApi;
  readonly signals: SignalsApi;
  readonly net: NetApi;
  readonly usage: UsageApi;
  /** Threads for CPU-heavy work (Web Workers; Node: worker_threads). */
  readonly workers: WorkersApi;
}

/** What an adapter module exports. A third-party adapter is any module with `createPlatform`. */
export interface AdapterModule {
  /** May be async: an adapter that must load something first (a native module, a config) returns a promise. */
  createPlatform(): Platform | Promise<Platform>;
}
