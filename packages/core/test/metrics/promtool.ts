// Runs the real `promtool check metrics` (Debian package "prometheus"); absent → tests skip with this reason.
import { spawnSync } from "node:child_process";

const probe = spawnSync("promtool", ["--version"], { encoding: "utf8" });
export const promtoolMissing: string | undefined =
  probe.error || probe.status !== 0
    ? "promtool not installed (apt-get install -y --no-install-recommends prometheus)"
    : undefined;

export function promtoolCheck(text: string): { code: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}
