import { InvalidArgumentError } from "../invalid-argument.ts";
import { StorageEscapeError } from "./errors.ts";

/** Linux's PATH_MAX: a longer path fails in the OS with an error that names no argument. */
const MAX_PATH_LENGTH = 4096;
/** NAME_MAX of Linux, macOS and the BSDs (bytes of one path component): past it the OS fails with ENAMETOOLONG. */
const MAX_NAME_BYTES = 255;
const utf8 = new TextEncoder();

/** True for "/x", "\\x", "C:\\x", "C:/x" and "//server/share". */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path);
}

/** Splits a relative path into normal segments, refusing absolute paths and `..` that climbs above the root. */
export function relativeSegments(relPath: string, root: string): string[] {
  if (typeof relPath !== "string") throw new InvalidArgumentError("storage path", "a string", relPath);
  if (relPath.length > MAX_PATH_LENGTH)
    throw new InvalidArgumentError("storage path", `at most ${MAX_PATH_LENGTH} characters`, relPath);
  if (relPath.includes("\0")) throw new StorageEscapeError(relPath, root, "path contains a NUL byte");
  if (isAbsolutePath(relPath))
    throw new StorageEscapeError(relPath, root, "absolute paths are not allowed, give a path relative to the root");
  const segments: string[] = [];
  for (const part of relPath.split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (segments.length === 0) throw new StorageEscapeError(relPath, root, "'..' leads above the root");
      segments.pop();
    } else {
      const bytes = utf8.encode(part).byteLength;
      if (bytes > MAX_NAME_BYTES)
        throw new InvalidArgumentError(
          "storage path",
          `made of names of at most ${MAX_NAME_BYTES} bytes each (UTF-8), but one is ${bytes} bytes long`,
          relPath,
        );
      segments.push(part);
    }
  }
  return segments;
}

export function joinPath(root: string, segments: readonly string[]): string {
  if (segments.length === 0) return root;
  const base = root.endsWith("/") || root.endsWith("\\") ? root.slice(0, -1) : root;
  return `${base}/${segments.join("/")}`;
}

/** Is `path` the root itself or inside it? Both must be canonical (realPath) paths. */
export function isInside(path: string, root: string): boolean {
  const normal = (p: string): string => p.replace(/\\/g, "/").replace(/\/+$/, "");
  const p = normal(path);
  const r = normal(root);
  return p === r || p.startsWith(r === "" ? "/" : `${r}/`);
}
