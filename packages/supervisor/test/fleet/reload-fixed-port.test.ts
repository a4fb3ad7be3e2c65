// An agent whose runtime serves health on a fixed port (here set inline in the fleet file, so it reaches the agent as
// ARAL_HEALTH_PORT) cannot overlap with its replacement: reload restarts it, and what answers on the port afterwards is
// the new process. Real processes, a real port on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-reload-port-"));
let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.down();
  rmSync(root, { recursive: true, force: true });
});

// Stands in for an agent's runtime: /health/ready on ARAL_HEALTH_HOSTNAME:ARAL_HEALTH_PORT answers its pid; a port
// already taken ends it with code 1, as a runtime whose health server cannot bind fails its start.
const agent = join(root, "agent.mjs");
writeFileSync(
  agent,
  `import { createServer } from "node:http";
const server = createServer((_req, res) => res.end(String(process.pid)));
server.once("error", (error) => { console.log("bind failed " + error.code); process.exit(1); });
server.listen(Number(process.env.ARAL_HEALTH_PORT), process.env.ARAL_HEALTH_HOSTNAME, () => console.log("serving"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("reload of an agent with a fixed health port", () => {
  it("restarts it (stop, then start) and says why; the port then answers from the new process", async () => {
    const port = await freePort();
    const health = { enabled: true, hostname: "127.0.0.1", port };
    const spec = await validateFleet(
      platform,
      { name: "fixedport", agents: [{ name: "api", runtime: "node", entry: agent, layers: { runtime: { health } } }] },
      join(root, "fleet.json"),
    );
    fleet = new Fleet(platform, spec, {
      logger: quietLogger,
      parentEnv: { PATH: process.env["PATH"] ?? "" },
      execPaths: { node: process.execPath },
    });
    const [started] = await fleet.start();
    expect(started).toMatchObject({ agent: "api", ready: 1 });
    const url = `http://127.0.0.1:${port}/health/ready`;
    const before = await (await fetch(url)).text();
    expect(Number(before)).toBe(fleet.status("api")[0]!.pid);

    const reloaded = await fleet.reload("api");
    expect(reloaded).toEqual({ agent: "api", ready: 1, instances: 1, restarted: true });
    const after = await (await fetch(url)).text();
    expect(after).not.toBe(before);
    expect(Number(after)).toBe(fleet.status("api")[0]!.pid);
    expect(
      quietLogger.warnings.some((line) => line.includes(`fixed port ${port}`) && line.includes("restarting")),
    ).toBe(true);
  }, 60_000);

  it("more than one instance with a fixed health port does not start, and the report says why", async () => {
    const spec = await validateFleet(
      platform,
      {
        name: "sharedport",
        agents: [
          {
            name: "api",
            runtime: "node",
            entry: agent,
            instances: 2,
            layers: { runtime: { health: { enabled: true, port: 9100 } } },
          },
        ],
      },
      join(root, "fleet.json"),
    );
    const shared = new Fleet(platform, spec, {
      logger: quietLogger,
      parentEnv: { PATH: process.env["PATH"] ?? "" },
      execPaths: { node: process.execPath },
    });
    try {
      const [report] = await shared.start();
      expect(report).toMatchObject({ agent: "api", ready: 0, instances: 2 });
      expect(report!.error).toMatch(/^2 instances cannot all serve health on port 9100 on one machine/);
      // aral ps shows it failed, with the same reason
      expect(shared.status("api")).toEqual([
        expect.objectContaining({ pid: null, state: "failed", error: report!.error }),
      ]);
    } finally {
      await shared.down();
    }
  });
});
