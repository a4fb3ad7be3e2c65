import type { FileSystem, WriteFileOptions } from "./contract.ts";
import { misuse, optionalBooleanError, optionalIntegerError, optionsError, pathError } from "./guard-checks.ts";

/** A file system method taking one path: a bad path rejects, the adapter never sees it. */
function onePath<R>(method: string, call: (path: string) => Promise<R>): (path: string) => Promise<R> {
  return (path) => {
    const error = pathError(method, "path", path);
    return error ? Promise.reject(error) : call(path);
  };
}

function recursiveOptionsError(method: string, opts: unknown): TypeError | undefined {
  return (
    optionsError(method, "opts", opts) ??
    optionalBooleanError(method, "opts.recursive", (opts as { recursive?: unknown } | undefined)?.recursive)
  );
}

function writeFileError(path: unknown, data: unknown, opts: WriteFileOptions | undefined): TypeError | undefined {
  const method = "fs.writeFile";
  return (
    pathError(method, "path", path) ??
    (typeof data === "string" || data instanceof Uint8Array
      ? undefined
      : misuse(method, "data", "a string or a Uint8Array", data, "object")) ??
    optionsError(method, "opts", opts) ??
    optionalBooleanError(method, "opts.append", opts?.append) ??
    optionalIntegerError(method, "opts.mode", opts?.mode, 0, 0o7777, "0 to 0o7777")
  );
}

function makeTempDirError(opts: { prefix?: unknown } | undefined): TypeError | undefined {
  const method = "fs.makeTempDir";
  const prefix = opts?.prefix;
  return (
    optionsError(method, "opts", opts) ??
    (prefix === undefined || (typeof prefix === "string" && !/[\\/\0]/.test(prefix))
      ? undefined
      : misuse(method, "opts.prefix", "a string without path separators or NUL characters", prefix, "string"))
  );
}

export function guardFileSystem(fs: FileSystem): FileSystem {
  return {
    readFile(path, opts) {
      const error =
        pathError("fs.readFile", "path", path) ??
        optionsError("fs.readFile", "opts", opts) ??
        optionalBooleanError("fs.readFile", "opts.noFollow", opts?.noFollow);
      return error ? Promise.reject(error) : fs.readFile(path, opts);
    },
    readTextFile: onePath("fs.readTextFile", (path) => fs.readTextFile(path)),
    writeFile(path, data, opts) {
      const error = writeFileError(path, data, opts);
      return error ? Promise.reject(error) : fs.writeFile(path, data, opts);
    },
    stat: onePath("fs.stat", (path) => fs.stat(path)),
    lstat: onePath("fs.lstat", (path) => fs.lstat(path)),
    exists: onePath("fs.exists", (path) => fs.exists(path)),
    mkdir(path, opts) {
      const error =
        pathError("fs.mkdir", "path", path) ??
        recursiveOptionsError("fs.mkdir", opts) ??
        optionalIntegerError(
          "fs.mkdir",
          "opts.mode",
          (opts as { mode?: unknown } | undefined)?.mode,
          0,
          0o7777,
          "0 to 0o7777",
        );
      return error ? Promise.reject(error) : fs.mkdir(path, opts);
    },
    readDir: onePath("fs.readDir", (path) => fs.readDir(path)),
    remove(path, opts) {
      const error = pathError("fs.remove", "path", path) ?? recursiveOptionsError("fs.remove", opts);
      return error ? Promise.reject(error) : fs.remove(path, opts);
    },
    rename(from, to) {
      const error = pathError("fs.rename", "from", from) ?? pathError("fs.rename", "to", to);
      return error ? Promise.reject(error) : fs.rename(from, to);
    },
    realPath: onePath("fs.realPath", (path) => fs.realPath(path)),
    symlink(target, path) {
      const error = pathError("fs.symlink", "target", target) ?? pathError("fs.symlink", "path", path);
      return error ? Promise.reject(error) : fs.symlink(target, path);
    },
    makeTempDir(opts) {
      const error = makeTempDirError(opts);
      return error ? Promise.reject(error) : fs.makeTempDir(opts);
    },
    openRead: onePath("fs.openRead", (path) => fs.openRead(path)),
    openWrite: onePath("fs.openWrite", (path) => fs.openWrite(path)),
    diskUsage: onePath("fs.diskUsage", (path) => fs.diskUsage(path)),
    openDir: onePath("fs.openDir", (path) => fs.openDir(path)),
  };
}
