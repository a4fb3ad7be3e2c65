import type { Platform } from "@aral/core";

/** `path` made absolute against the current directory. */
export function absolutePath(platform: Platform, path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  return `${platform.process.cwd().replace(/[\\/]$/, "")}/${path}`;
}
