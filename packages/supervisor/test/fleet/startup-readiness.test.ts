// Readiness by staying up (no ready.line or ready.url): an instance is ready when the child it spawned has run for
// startupMs and is still running. The "exited" event comes only after the run's cleanup (cgroup removed, output
// drained): when that took longer than startupMs, an agent that exited at once was counted ready ("3 instance(s)
// ready" for an agent exiting with code 3, seen under load), and a reload could stop the old instance for a
// replacement that had already crashed. Here the cleanup is held deterministically: the fleet's output callback
// does not let the exited child's last line through until the start has been reported.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-startup-ready-"));
const fleets: Fleet[] = [];
afterAll(async () => {
  await Promise.all(fleets.map((fleet) => fleet.down()));
  rmSync(root, { recursive: true, force: true });
});

async function fleetOf(command: string[], held: Promise<void>): Promise<Fleet> {
  const spec = await validateFleet(
    platform,
    {
      name: "startup",
      logs: { dir: "logs" },
      agents: [{ name: "quick", command, instances: 2, maxRestarts: 1, ready: { startupMs: 300 } }],
    },
    join(root, "fleet.json"),
  );
  const fleet = new Fleet(platform, spec, {
    logger: quietLogger,
    parentEnv: { PATH: process.env["PATH"] ?? "" },
    // the output of the exited child waits here: its run's cleanup (and the "exited" event) waits with it
    onOutput: () => held,
  });
  fleets.push(fleet);
  return fleet;
}

describe("ready by staying up: only a child still running after startupMs", () => {
  it("an agent that exits at once is not ready, however long its cleanup takes", async () => {
    let release!: () => void;
    const fleet = await fleetOf(["sh", "-c", "echo up; exit 3"], new Promise((resolve) => (release = resolve)));
    const [report] = await fleet.start();
    release();
    expect(report).toMatchObject({ agent: "quick", instances: 2, ready: 0 });
  });

  it("one that keeps running is ready", async () => {
    const fleet = await fleetOf(["sh", "-c", "echo up; exec sleep 30"], Promise.resolve());
    const [report] = await fleet.start();
    expect(report).toMatchObject({ agent: "quick", instances: 2, ready: 2 });
    expect(report!.error).toBeUndefined();
  });
});
