/**
 * The URL a worker module is loaded from: a URL stays as given, an absolute path becomes a file: URL,
 * a relative path resolves against `cwd` (not against the adapter's own file, as `new Worker()` would).
 */
export function resolveWorkerModuleUrl(module: string | URL, cwd: string): URL {
  if (module instanceof URL) return new URL(module.href);
  if (typeof module !== "string") {
    throw new TypeError(
      `workers.spawn: module must be a string path or a URL, got ${module === null ? "null" : typeof module}`,
    );
  }
  if (module.trim() === "") throw new TypeError("workers.spawn: module is an empty string");
  if (/^[A-Za-z]:[\\/]/.test(module)) return new URL(`file:///${encodePath(module.replaceAll("\\", "/"))}`);
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(module)) return new URL(module);
  if (module.startsWith("/")) return new URL(`file://${encodePath(module)}`);
  const base = /^[A-Za-z]:[\\/]/.test(cwd)
    ? `file:///${encodePath(cwd.replaceAll("\\", "/"))}`
    : `file://${encodePath(cwd)}`;
  return new URL(encodePath(module.replaceAll("\\", "/")), base.endsWith("/") ? base : `${base}/`);
}

/** A file path as a URL path: characters the URL parser would take as syntax are escaped. */
function encodePath(path: string): string {
  return path.replace(/%/g, "%25").replace(/#/g, "%23").replace(/\?/g, "%3F");
}

/** The file system path of a file: URL (for error messages and PlatformError `path`). */
export function workerModulePath(url: URL): string {
  if (url.protocol !== "file:") return url.href;
  const path = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}
