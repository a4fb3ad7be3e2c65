import { isPlatformError } from "@aral/platform";
import type { Platform } from "@aral/platform";

/**
 * `mkdir -p`, one component at a time, each without `recursive` (`mode` for every directory it creates). Node's
 * recursive mkdir loops forever where a parent exists but creating a child in it says ENOENT, as under /proc: a log
 * directory or a control directory there hung `aral up` without a word. An existing directory is fine; a path that
 * exists and is not one is `AlreadyExists` (EEXIST), as a recursive mkdir reports it; a file on the way, ENOTDIR.
 */
export async function makeDirectories(platform: Pick<Platform, "fs">, path: string, mode?: number): Promise<void> {
  const isDirectory = (): Promise<boolean> =>
    platform.fs.stat(path).then(
      (info) => info.isDirectory,
      () => false,
    );
  if (await isDirectory()) return;
  let current = path.startsWith("/") ? "" : ".";
  let exists: unknown;
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    current = `${current}/${part}`;
    exists = undefined;
    try {
      await platform.fs.mkdir(current, mode === undefined ? {} : { mode });
    } catch (error) {
      if (!isPlatformError(error, "AlreadyExists")) throw error;
      exists = error;
    }
  }
  // the last component was there already: a directory (made meanwhile) is fine, anything else is not
  if (exists !== undefined && !(await isDirectory())) throw exists;
}
