import type { Platform } from "@aral/core";
import { resolvePath } from "@aral/supervisor";

/** `path` made absolute against the current directory, `.` and `..` resolved; a Windows drive path as it is. */
export function absolutePath(platform: Platform, path: string): string {
  if (/^[A-Za-z]:[\\/]/.test(path)) return path;
  return resolvePath(platform.process.cwd(), path);
}
