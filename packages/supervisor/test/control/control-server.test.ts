import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlCall, ControlResponseError, ControlUnreachableError } from "../../src/control/control-client.ts";
import { ControlServer, ControlSocketPathError, FleetAlreadyRunningError } from "../../src/control/control-server.ts";
import { validateFleet } from "../../src/fleet/fleet-file.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { platform, quietLogger } from "../helpers.ts";

const root = mkdtempSync(join(tmpdir(), "aral-control-"));
chmodSync(root, 0o755); // so that `nobody` may at least look for the socket
const controlDir = join(root, "ctl");
const agent = join(root, "agent.mjs");
writeFileSync(
  agent,
  `process.on("SIGTERM", () => process.exit(0)); console.log("ready"); setInterval(() => {}, 1000);`,
);

let fleet: Fleet;
let server: ControlServer;

/** Sends raw text and returns the first answer line, parsed. */
async function raw(
  text: string,
): Promise<{ ok: boolean; error?: { code: string; command?: string; message: string } }> {
  const connection = await platform.net.connectUnix(server.path);
  const writer = connection.writable.getWriter();
  await writer.write(new TextEncoder().encode(text));
  const reader = connection.readable.getReader();
  let answer = "";
  while (!answer.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    answer += new TextDecoder().decode(value);
  }
  connection.close();
  return JSON.parse(answer.split("\n")[0]!);
}

beforeAll(async () => {
  const spec = await validateFleet(
    platform,
    {
      name: "ctltest",
      logs: { dir: "./logs" },
      agents: [{ name: "echo", runtime: "node", entry: agent, ready: { line: "ready" } }],
    },
    join(root, "fleet.json"),
  );
  fleet = new Fleet(platform, spec, {
    logger: quietLogger,
    parentEnv: { PATH: process.env["PATH"] ?? "" },
    execPaths: { node: process.execPath },
  });
  server = new ControlServer(platform, fleet, { dir: controlDir });
  await server.listen();
  await fleet.start();
}, 30_000);

afterAll(async () => {
  await fleet.down();
  await server.close();
});

describe("control channel (real Unix socket)", () => {
  it("is a 0600 socket in a 0700 directory; a second server for the same fleet is refused", async () => {
    expect(statSync(controlDir).mode & 0o777).toBe(0o700);
    expect(statSync(server.path).mode & 0o777).toBe(0o600);
    const second = new ControlServer(platform, fleet, { dir: controlDir });
    await expect(second.listen()).rejects.toBeInstanceOf(FleetAlreadyRunningError);
  });

  it("answers ps over the socket", async () => {
    const result = (await controlCall(platform, server.path, { command: "ps" })) as {
      fleet: string;
      instances: { agent: string; state: string; pid: number }[];
    };
    expect(result.fleet).toBe("ctltest");
    expect(result.instances).toMatchObject([{ agent: "echo", state: "running" }]);
    expect(result.instances[0]!.pid).toBeGreaterThan(0);
  });

  it("bad requests get a clear error naming the command: malformed JSON, unknown command, unknown agent, missing agent, unknown field", async () => {
    expect(await raw("{not json\n")).toMatchObject({ ok: false, error: { code: "malformed" } });
    expect(await raw("[1,2]\n")).toMatchObject({
      ok: false,
      error: { code: "malformed", message: expect.stringContaining("JSON object") },
    });
    expect(await raw(`{"command":"explode"}\n`)).toMatchObject({
      ok: false,
      error: {
        code: "unknown-command",
        command: "explode",
        message: expect.stringContaining(`unknown command "explode"`),
      },
    });
    expect(await raw(`{"command":"restart","agent":"ghost"}\n`)).toMatchObject({
      ok: false,
      error: {
        code: "unknown-agent",
        command: "restart",
        message: expect.stringMatching(/^restart: no agent named "ghost".*agents: echo/),
      },
    });
    expect(await raw(`{"command":"stop"}\n`)).toMatchObject({
      ok: false,
      error: { code: "bad-request", command: "stop", message: expect.stringContaining('needs "agent"') },
    });
    expect(await raw(`{"command":"logs","agent":"echo","lines":"all"}\n`)).toMatchObject({
      ok: false,
      error: { code: "bad-request", command: "logs" },
    });
    expect(await raw(`{"command":"ps","verbose":true}\n`)).toMatchObject({
      ok: false,
      error: { code: "bad-request", command: "ps", message: `ps: unknown field "verbose"` },
    });
    const error = await controlCall(platform, server.path, { command: "reload", agent: "ghost" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControlResponseError);
    // the server survived every one of them
    expect(await controlCall(platform, server.path, { command: "ps" })).toBeTruthy();
  });

  it("refuses another user: a client run as nobody gets EACCES", () => {
    const client = `require("node:net").connect(${JSON.stringify(server.path)}).on("connect", () => { console.log("CONNECTED"); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(1); });`;
    const run = spawnSync(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", client],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(run.stdout.trim()).toBe("EACCES");
    expect(run.status).toBe(1);
  });

  it("a client with nothing listening is told no fleet is running", async () => {
    const error = await controlCall(platform, join(controlDir, "none.sock"), { command: "ps" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControlUnreachableError);
    expect((error as ControlUnreachableError).reason).toBe("not-running");
  });
});

describe("a control socket that cannot be made is named, and nothing in its place is removed", () => {
  it("a path too long for a Unix socket (108 bytes on Linux): ControlSocketPathError naming its length and ARAL_CONTROL_DIR, not 'listen EINVAL'", async () => {
    const dir = join(root, "d".repeat(120 - root.length));
    const error = await new ControlServer(platform, fleet, { dir }).listen().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlSocketPathError);
    expect((error as Error).message).toMatch(
      /is \d+ bytes, more than the 107 a Unix socket path can have: set ARAL_CONTROL_DIR/,
    );
    expect(existsSync(dir), "nothing was created for it").toBe(false);
  });

  it("a file, directory or symlink named <fleet>.sock is not a dead fleet's socket: refused, left as it was", async () => {
    for (const [kind, make] of [
      ["file", (path: string) => writeFileSync(path, "precious")],
      ["directory", (path: string) => mkdirSync(path)],
    ] as const) {
      const dir = mkdtempSync(join(root, `occupied-${kind}-`));
      const path = join(dir, "ctltest.sock");
      make(path);
      const error = await new ControlServer(platform, fleet, { dir }).listen().catch((e: unknown) => e);
      expect(error, kind).toBeInstanceOf(ControlSocketPathError);
      expect((error as Error).message).toContain(`exists and is not a socket (a ${kind})`);
      expect(existsSync(path), kind).toBe(true);
      if (kind === "file") expect(readFileSync(path, "utf8")).toBe("precious");
    }
  });
});
