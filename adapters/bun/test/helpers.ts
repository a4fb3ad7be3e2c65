import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory per test file, removed afterwards. */
export function scratchDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), "aral-bun-test-"));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
