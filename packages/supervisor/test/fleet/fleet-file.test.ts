import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@aral/core";
import { describe, expect, it } from "vitest";
import { resolveRuntimeConfig } from "@aral/core/config";
import { loadFleetFile, validateFleet } from "../../src/fleet/fleet-file.ts";
import { platform } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "aral-fleet-file-"));
const file = join(dir, "fleet.yaml");

async function issues(value: unknown): Promise<{ path: string; message: string }[]> {
  const error = await validateFleet(platform, value, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.map(({ path, message }) => ({ path, message }));
}

describe("fleet file validation (every problem named by its field path)", () => {
  it("accepts entry agents, command agents, inline layers.runtime and a manifest path; resolves paths against the file", async () => {
    const manifest = join(dir, "aral.json");
    writeFileSync(
      manifest,
      JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { lifecycle: { shutdownTimeout: 1234 } } } }),
    );
    writeFileSync(
      file,
      [
        "name: shop",
        "logs: { dir: ./var/log, maxBytes: 64Ki, files: 3 }",
        "agents:",
        "  - { name: api, runtime: deno, entry: api.ts, instances: 2, env: [OPENAI_API_KEY], manifest: ./aral.json }",
        "  - name: py",
        "    command: [python3, agent.py]",
        "    layers: { runtime: { resources: { memory: { limit: 128Mi } } } }",
        "    ready: { line: ready }",
      ].join("\n"),
    );
    const spec = await loadFleetFile(platform, file);
    expect(spec.name).toBe("shop");
    expect(spec.logs).toEqual({ dir: join(dir, "var/log"), maxBytes: 64 * 1024, files: 3 });
    const [api, py] = spec.agents;
    expect(api).toMatchObject({
      name: "api",
      runtime: "deno",
      entry: join(dir, "api.ts"),
      instances: 2,
      env: ["OPENAI_API_KEY"],
      manifestPath: manifest,
      cwd: dir,
    });
    expect(api!.config.lifecycle.shutdownTimeout).toBe(1234);
    expect(py).toMatchObject({
      name: "py",
      runtime: undefined,
      command: ["python3", "agent.py"],
      instances: 1,
      ready: { line: "ready" },
    });
    expect(py!.config.resources.memory.limit).toBe("128Mi");
  });

  it("inline layers.runtime reaches the agent as the ARAL_* variables of the fields written; an empty list, which cannot, is refused by field", async () => {
    const spec = await validateFleet(
      platform,
      {
        agents: [
          {
            name: "inline",
            runtime: "node",
            entry: "agent.mjs",
            layers: { runtime: { tasks: { concurrency: 3 }, logging: { level: "warn" } } },
          },
          { name: "none-written", runtime: "node", entry: "agent.mjs" },
        ],
      },
      file,
    );
    const [inline, none] = spec.agents;
    // the variables core's settingsVariables makes (settings-variables.test.ts), and the runtime reads back
    expect(inline!.inlineSettings).toEqual({
      ARAL_TASKS_CONCURRENCY: "3",
      ARAL_LOGGING_LEVEL: "warn",
      ARAL_LOG_LEVEL: "warn",
    });
    expect(resolveRuntimeConfig(undefined, inline!.inlineSettings!)).toEqual(inline!.config);
    expect(none!.inlineSettings).toBeUndefined();
    expect(
      await issues({
        agents: [
          { name: "a", runtime: "node", entry: "a.mjs", layers: { runtime: { lifecycle: { shutdownSignals: [] } } } },
        ],
      }),
    ).toEqual([
      {
        path: "agents[0].layers.runtime.lifecycle.shutdownSignals",
        message: "cannot reach the agent: inline settings travel as ARAL_* variables, and an empty one means unset",
      },
    ]);
  });

  it("names each wrong field: unknown keys, missing name, entry without runtime, entry and command together, bad runtime, instances, env", async () => {
    expect(
      await issues({
        agents: [
          { name: "a", entry: "a.ts", colour: "red" },
          { entry: "b.ts", runtime: "python" },
          { name: "c", entry: "c.ts", command: ["x"], runtime: "node" },
          { name: "d", command: [], instances: 0, env: ["A=B"] },
        ],
        extra: 1,
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: "extra", message: "is not a known field" },
        { path: "agents[0].colour", message: "is not a known field" },
        { path: "agents[0].runtime", message: "is required with entry" },
        { path: "agents[1].name", message: "is required" },
        { path: "agents[1].runtime", message: "is not a supported runtime" },
        { path: "agents[2].command", message: "cannot be given together with entry" },
        { path: "agents[3].command", message: "must be a non-empty array of strings" },
        { path: "agents[3].instances", message: "must be an integer from 1 to 64" },
        { path: "agents[3].env[0]", message: "is not a variable name" },
      ]),
    );
  });

  it("env: any name an environment can hold is passed on by aral up (the portable-name rule is aral export's); empty, '=' and NUL are refused", async () => {
    // childEnvironment copies the parent's variables by exact name, as `aral run --allow-env` does: a "my.var"
    // set by the environment aral up runs in reaches the agent.
    const spec = await validateFleet(
      platform,
      { agents: [{ name: "a", command: ["x"], env: ["OK_NAME", "my.var", "FOO BAR", "1ABC"] }] },
      file,
    );
    expect(spec.agents[0]!.env).toEqual(["OK_NAME", "my.var", "FOO BAR", "1ABC"]);
    expect(await issues({ agents: [{ name: "a", command: ["x"], env: ["", "A=B", "A\0B"] }] })).toEqual([
      { path: "agents[0].env[0]", message: "is not a variable name" },
      { path: "agents[0].env[1]", message: "is not a variable name" },
      { path: "agents[0].env[2]", message: "is not a variable name" },
    ]);
  });

  it("a NUL character in a path, an argument or an inline setting is refused naming the field (it failed the spawn as an 'internal failure')", async () => {
    expect(
      await issues({
        logs: { dir: "lo\0gs" },
        agents: [
          { name: "a", runtime: "node", entry: "a\0.mjs", cwd: "/srv\0", args: ["ok", "x\0y"] },
          { name: "b", command: ["py\0thon3", "agent.py"], ready: { line: "re\0ady" } },
          {
            name: "c",
            command: ["python3"],
            layers: {
              runtime: { observability: { serviceName: "x\0y" }, lifecycle: { shutdownSignals: ["SIGTERM"] } },
            },
          },
        ],
      }),
    ).toEqual(
      [
        "logs.dir",
        "agents[0].entry",
        "agents[0].args[1]",
        "agents[0].cwd",
        "agents[1].command[0]",
        "agents[1].ready.line",
        "agents[2].layers.runtime.observability.serviceName",
      ].map((path) => ({ path, message: "must not contain a NUL character (\\0)" })),
    );
  });

  it("inline layers.runtime problems carry the full path into the fleet file; duplicates and log sizes too", async () => {
    const found = await issues({
      logs: { maxBytes: "tiny", files: -1 },
      agents: [
        { name: "a", command: ["x"], layers: { runtime: { lifecycle: { shutdownTimeout: "soon" } } } },
        { name: "a", command: ["y"] },
      ],
    });
    expect(found.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        "logs.maxBytes",
        "logs.files",
        "agents[0].layers.runtime.lifecycle.shutdownTimeout",
        "agents[1].name",
      ]),
    );
    expect(found.find((issue) => issue.path === "agents[1].name")!.message).toBe("duplicates agents[0].name");
  });

  it("a manifest that cannot be read or is invalid is reported under agents[i].manifest", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ aral: { version: "1.0" }, layers: { runtime: { resources: { memory: { limit: "lots" } } } } }),
    );
    const found = await issues({
      agents: [
        { name: "a", command: ["x"], manifest: "missing.yaml" },
        { name: "b", command: ["x"], manifest: "bad.json" },
      ],
    });
    expect(found[0]!.path).toBe("agents[0].manifest");
    expect(found[0]!.message).toContain("missing.yaml");
    expect(found[1]!.path).toBe("agents[1].manifest");
    expect(found[1]!.message).toContain("layers.runtime.resources.memory.limit");
  });

  it("a file that is not an object, has no agents, or does not parse", async () => {
    expect(await issues([])).toEqual([{ path: "", message: "a fleet file must be an object" }]);
    expect(await issues({})).toEqual([{ path: "agents", message: "is required" }]);
    writeFileSync(file, "agents: [ { name: a\n");
    const error = await loadFleetFile(platform, file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("syntax");
    const missing = await loadFleetFile(platform, join(dir, "nope.json")).catch((e: unknown) => e);
    expect((missing as ConfigError).code).toBe("unreadable");
    expect((missing as ConfigError).issues).toEqual([
      expect.objectContaining({
        path: "",
        expected: "a readable fleet file",
        message: expect.stringMatching(/^cannot read the file: NotFound: readFile '.*nope\.json' failed/),
      }),
    ]);
  });
});
