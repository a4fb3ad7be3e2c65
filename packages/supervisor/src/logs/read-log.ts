import type { Platform } from "@aral/core";

/** The last `count` lines over `paths` (oldest file first), missing files skipped. */
export async function readLastLines(
  platform: Pick<Platform, "fs">,
  paths: readonly string[],
  count: number,
): Promise<string[]> {
  if (count <= 0) return [];
  const lines: string[] = [];
  // newest file first, until enough lines are collected
  for (const path of [...paths].reverse()) {
    let text: string;
    try {
      text = await platform.fs.readTextFile(path);
    } catch {
      continue;
    }
    const fileLines = text.split("\n");
    if (fileLines[fileLines.length - 1] === "") fileLines.pop();
    lines.unshift(...fileLines.slice(Math.max(0, fileLines.length - (count - lines.length))));
    if (lines.length >= count) break;
  }
  return lines;
}
