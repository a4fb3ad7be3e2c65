import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBytes, parseCpu } from "@aral/core/resources";
import { ExportError, exportSystemd, loadManifestAgent, RESTART_STEPS_SINCE } from "../../src/export/index.ts";
import type { ExportNote } from "../../src/export/index.ts";
import { platform } from "../helpers.ts";
import { loadAgent, MANIFESTS, manifestWith, repoRoot, RUNTIMES } from "./export-fixtures.ts";

// systemd-analyze verify checks the unit offline (systemd is not PID 1 here). It exits 0 even for unknown
// keys or bad values, so the test reads its output: any line about our unit fails.
const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "aral-export-systemd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Executables that exist here, so verify's "is not executable" check passes for the right reason. */
const EXEC_PATHS = {
  node: process.execPath,
  deno: join(repoRoot, "node_modules", "deno", "deno"),
  bun: join(repoRoot, "node_modules", ".bin", "bun"),
};

function verify(fileName: string, text: string): string[] {
  const path = join(dir, fileName);
  writeFileSync(path, text);
  const run = spawnSync("systemd-analyze", ["verify", "--man=no", path], { encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`;
  const unitName = fileName.replace(/\.service$/, "");
  return output.split("\n").filter((line) => line.includes(fileName) || line.includes(unitName));
}

/** The unit's [Service] directives, the last value of each key (as systemd applies them). */
function directives(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) map.set(match[1]!, match[2]!);
  }
  return map;
}

/** systemd's own reading of a size (K, M, G, T = powers of 1024). */
function systemdSize(text: string): number {
  const match = /^(\d+)([KMGTPE]?)$/.exec(text);
  if (!match) throw new Error(`not a systemd size: ${text}`);
  return Number(match[1]) * 1024 ** " KMGTPE".indexOf(match[2] || " ");
}

function systemdMs(text: string): number {
  const match = /^(\d+)(ms|s)$/.exec(text);
  if (!match) throw new Error(`not a time span: ${text}`);
  return Number(match[1]) * (match[2] === "s" ? 1000 : 1);
}

describe.skipIf(!hasSystemdAnalyze)("aral export systemd: systemd-analyze verify accepts every unit", () => {
  for (const manifest of Object.keys(MANIFESTS) as (keyof typeof MANIFESTS)[]) {
    for (const runtime of RUNTIMES) {
      it(`${manifest} manifest on ${runtime}`, async () => {
        const agent = await loadAgent(manifest, {
          runtime: runtime === "node" || manifest === "example" ? runtime : "node",
          entry: join(repoRoot, "examples", "agent.ts"),
          allowEnv: ["OPENAI_API_KEY"],
        });
        if (manifest === "seed" && runtime !== "node") agent.runtime = runtime; // the seed says platform node; export it for each runtime anyway
        const { units } = exportSystemd(agent, { execPath: EXEC_PATHS[runtime], systemdVersion: 252 });
        expect(units).toHaveLength(1);
        expect(verify(units[0]!.fileName, units[0]!.text)).toEqual([]);
      });
    }
  }

  it("the check can fail: a bad value and an unknown key are caught from verify's output", () => {
    const text = "[Service]\nExecStart=/bin/true\nCPUQuota=abc\nRestartStepz=3\n";
    expect(verify("broken.service", text).join("\n")).toMatch(/CPU quota|RestartStepz/);
  });

  it("a template unit for several instances verifies too", async () => {
    const agent = await loadAgent("example", { entry: join(repoRoot, "examples", "agent.ts"), instances: 3 });
    const { units } = exportSystemd(agent, { execPath: EXEC_PATHS.node });
    expect(units[0]!.fileName).toBe("agent@.service");
    expect(units[0]!.text).toMatch(/^Environment=ARAL_INSTANCE_ID=agent-%i$/m);
    expect(units[0]!.text).toMatch(/^Environment=ARAL_INSTANCE=%i$/m);
    expect(verify("agent@.service", units[0]!.text)).toEqual([]);
  });
});

describe("aral export systemd: the manifest's values, read back from the unit", () => {
  for (const manifest of Object.keys(MANIFESTS) as (keyof typeof MANIFESTS)[]) {
    it(`${manifest}: limits, stop, restart and sandboxing equal the manifest's`, async () => {
      const agent = await loadAgent(manifest, { entry: "/srv/agent/agent.ts" });
      const { config } = agent;
      const text = exportSystemd(agent, { systemdVersion: RESTART_STEPS_SINCE }).units[0]!.text;
      const unit = directives(text);
      const { cpu, memory, storage } = config.resources;
      expect(systemdSize(unit.get("MemoryMax")!)).toBe(parseBytes(memory.limit!));
      expect(systemdSize(unit.get("MemoryLow")!)).toBe(parseBytes(memory.request!));
      expect(unit.get("MemorySwapMax")).toBe("0");
      expect(Number(unit.get("CPUQuota")!.replace("%", "")) / 100).toBe(parseCpu(cpu.limit!));
      expect(Number(unit.get("CPUWeight"))).toBe(Math.round(parseCpu(cpu.request!) * 100));
      expect(systemdMs(unit.get("TimeoutStopSec")!)).toBe(config.lifecycle.shutdownTimeout + 2000);
      expect(systemdMs(unit.get("RestartSec")!)).toBe(config.errorHandling.backoffMs);
      expect(systemdMs(unit.get("RestartMaxDelaySec")!)).toBe(config.errorHandling.maxBackoffMs);
      expect(Number(unit.get("RestartSteps"))).toBe(
        Math.ceil(Math.log2(config.errorHandling.maxBackoffMs / config.errorHandling.backoffMs)),
      );
      expect(unit.get("KillMode")).toBe("control-group");
      expect(unit.get("KillSignal")).toBe("SIGTERM");
      expect(unit.get("Restart")).toBe("on-failure");
      for (const [key, value] of [
        ["NoNewPrivileges", "yes"],
        ["ProtectSystem", "strict"],
        ["PrivateTmp", "yes"],
        ["CapabilityBoundingSet", ""],
      ] as const)
        expect(unit.get(key)).toBe(value);
      const roots = [storage.persistent, storage.ephemeral].filter(Boolean);
      expect(unit.get("ReadWritePaths")).toBe(roots.length ? roots.join(" ") : undefined);
      // ARAL_AGENT and ARAL_INSTANCE as aral run and aral up give them (one instance: 0)
      expect(text.match(/^Environment=.*$/gm)).toEqual([
        `Environment=ARAL_MANIFEST=${MANIFESTS[manifest]}`,
        `Environment=ARAL_AGENT=${agent.name}`,
        "Environment=ARAL_INSTANCE=0",
      ]);
    });
  }

  it("RestartSteps/RestartMaxDelaySec only for systemd ≥ 254; older ones get a note naming errorHandling.maxBackoffMs", async () => {
    const agent = await loadAgent("seed", { entry: "/srv/agent/agent.ts" });
    const old = exportSystemd(agent, { systemdVersion: 252 });
    expect(old.units[0]!.text).not.toMatch(/RestartSteps|RestartMaxDelaySec/);
    expect(old.notes.map((note) => note.field)).toContain("layers.runtime.errorHandling.maxBackoffMs");
    expect(old.notes.map((note) => note.field)).toContain("layers.runtime.resources.storage.maxSize");
    expect(exportSystemd(agent, { systemdVersion: 254 }).notes.map((note) => note.field)).not.toContain(
      "layers.runtime.errorHandling.maxBackoffMs",
    );
  });

  it("paths with blanks and percent signs are quoted and escaped; a relative entry needs a working directory", async () => {
    const agent = await loadAgent("example", { entry: "/srv/my agent/100%.ts" });
    const text = exportSystemd(agent, { execPath: "/usr/bin/node" }).units[0]!.text;
    expect(text).toMatch(/^ExecStart=\/usr\/bin\/node --max-old-space-size=512 "\/srv\/my agent\/100%%.ts"$/m);
    expect(text).toMatch(/^WorkingDirectory=\/srv\/my agent$/m);
    await expect(
      loadAgent("example", { entry: "agent.ts" }).then((relative) => exportSystemd(relative)),
    ).rejects.toThrow(/absolute working directory/);
  });

  it("--user must be a name systemd takes strictly (or a uid): 'a b', '$(id)', '-x' are refused (verify only warned, 'Accepting user/group name')", async () => {
    const agent = await loadAgent("example", { entry: "/srv/agent/agent.ts" });
    for (const bad of ["a b", "$(id)", "x;y", "-x", "ops@corp", "a".repeat(32)]) {
      let caught: unknown;
      try {
        exportSystemd(agent, { user: bad });
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(ExportError);
      expect(caught).toMatchObject({ field: "user", origin: "option" });
      expect((caught as Error).message).toContain(JSON.stringify(bad));
    }
    for (const good of ["aral", "svc_agent-2", "_x", "1000"])
      expect(directives(exportSystemd(agent, { user: good }).units[0]!.text).get("User")).toBe(good);
  });

  it("an executable ExecStart= would read as a prefix (-, @, :, +, !, |) is refused: '-node' ran node ignoring its failures", async () => {
    const agent = await loadAgent("example", { entry: "/srv/agent/agent.ts" });
    for (const execPath of ["-node", "@node", "+node", "!node", ":node", "|node"]) {
      expect(() => exportSystemd(agent, { execPath }), execPath).toThrow(
        expect.objectContaining({ name: "ExportError", field: "exec-path", origin: "option" }),
      );
    }
    const command = { ...agent, runtime: undefined, command: ["-agent", "--serve"] };
    expect(() => exportSystemd(command)).toThrow(
      expect.objectContaining({ name: "ExportError", field: "command", origin: "input" }),
    );
    // a path is a path
    expect(exportSystemd({ ...command, command: ["./-agent"], cwd: "/srv/agent" }).units[0]!.text).toMatch(
      /^ExecStart=\/srv\/agent\/-agent$/m,
    );
  });

  it("the agent's own files where ProtectHome= hides or PrivateTmp= replaces the host's: a note each (the unit could not start), once for the working directory", async () => {
    const loaded = await loadAgent("example", { entry: "/tmp/build/agent.ts" });
    // the manifest at a neutral path: where the repository is checked out (/tmp, /home) must not add a note
    const agent = { ...loaded, manifest: { ...loaded.manifest!, path: "/srv/agent/agent.manifest.jsonc" } };
    const fields = (notes: ExportNote[]) =>
      notes.filter((note) => note.field.startsWith("(")).map((note) => [note.field, note.message]);
    // the entry's directory is the working directory: said once
    expect(fields(exportSystemd(agent).notes)).toEqual([
      ["(working directory)", expect.stringMatching(/^\/tmp\/build is under \/tmp, which PrivateTmp=yes replaces/)],
    ]);
    const home = exportSystemd(
      { ...agent, entry: "/srv/agent/agent.ts" },
      { execPath: "/home/ops/.nvm/versions/node/v24/bin/node" },
    );
    expect(fields(home.notes)).toEqual([
      ["(executable)", expect.stringMatching(/under \/home, which ProtectHome=yes makes inaccessible/)],
    ]);
    const manifest = { ...agent.manifest!, path: "/root/agent.manifest.jsonc" };
    expect(fields(exportSystemd({ ...agent, entry: "/srv/agent/agent.ts", manifest }).notes)).toEqual([
      ["(manifest)", expect.stringMatching(/^\/root\/agent\.manifest\.jsonc is under \/root/)],
    ]);
    // installed where the sandbox leaves it: nothing to say
    expect(fields(exportSystemd({ ...agent, entry: "/srv/agent/agent.ts" }).notes)).toEqual([]);
  });

  it("NUL and other control characters in an argument or a setting are an ExportError naming the directive, never raw bytes in the unit", async () => {
    const agent = await loadAgent("example", { entry: "/srv/agent/agent.ts" });
    for (const [bad, directive] of [
      [{ args: ["--mode", "a\0b"] }, "ExecStart"],
      [{ args: ["\u001b[31mred"] }, "ExecStart"],
      [{ settings: { ARAL_OBSERVABILITY_SERVICE_NAME: "x\0y" } }, "Environment"],
      [{ entry: "/srv/agent/a\u007f.ts" }, "ExecStart"],
    ] as const) {
      let caught: unknown;
      try {
        exportSystemd({ ...agent, ...bad }, { execPath: "/usr/bin/node" });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ExportError);
      expect(caught).toMatchObject({ field: directive });
      expect((caught as Error).message).toMatch(new RegExp(`^${directive} must not contain a control character`));
    }
    // a tab is text: quoted, not refused
    expect(exportSystemd({ ...agent, args: ["a\tb"] }, { execPath: "/usr/bin/node" }).units[0]!.text).toContain(
      '"a\tb"',
    );
  });
});

describe("resources.storage roots under ProtectSystem=strict: absolute ReadWritePaths=, never the whole file system", () => {
  const store = (storage: Record<string, unknown>) =>
    loadManifestAgent(platform, manifestWith(dir, "store.json", { resources: { storage } }), {
      name: "store",
      entry: join(repoRoot, "examples", "agent.ts"),
    });

  it("a relative root is WorkingDirectory's, as the runtime resolves it (systemd ignores a relative ReadWritePaths=, leaving the storage read-only)", async () => {
    const agent = await store({ persistent: "data", ephemeral: "-scratch dir/" });
    const { units } = exportSystemd(agent, { execPath: EXEC_PATHS.node });
    const workdir = join(repoRoot, "examples");
    expect(directives(units[0]!.text).get("ReadWritePaths")).toBe(`${workdir}/data "${workdir}/-scratch dir"`);
    if (hasSystemdAnalyze) expect(verify(units[0]!.fileName, units[0]!.text)).toEqual([]);
    // the same directory twice is written once
    const same = exportSystemd(await store({ persistent: "/var/lib/store", ephemeral: "/var/lib/store/" }));
    expect(directives(same.units[0]!.text).get("ReadWritePaths")).toBe("/var/lib/store");
  });

  it("a root that is / (ReadWritePaths=/ would undo ProtectSystem=strict) is an ExportError naming the field", async () => {
    for (const [storage, field] of [
      [{ persistent: "/" }, "persistent"],
      [{ ephemeral: "/var/.." }, "ephemeral"],
    ] as const) {
      const agent = await store(storage);
      let caught: unknown;
      try {
        exportSystemd(agent);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ExportError);
      expect(caught).toMatchObject({ field: `layers.runtime.resources.storage.${field}`, origin: "input" });
      expect((caught as Error).message).toContain("is the root directory");
    }
  });
});

describe("logging.audit under ProtectSystem=strict: the log's directory writable, the key only read", () => {
  const ledger = (runtime: Record<string, unknown>, options: { runtime?: "node" | "deno" } = {}) =>
    loadManifestAgent(platform, manifestWith(dir, "ledger.json", runtime), {
      name: "ledger",
      entry: "/srv/ledger/agent.ts",
      ...options,
    });
  const auditNotes = (notes: ExportNote[]) =>
    notes.filter((note) => note.field.startsWith("layers.runtime.logging.audit"));

  it("ReadWritePaths= gains the log's directory (a relative path resolved against WorkingDirectory, as the runtime opens it); a key in a writable directory is made ReadOnlyPaths=", async () => {
    const agent = await ledger({
      resources: { storage: { persistent: "/var/lib/ledger" } },
      logging: { audit: { path: "logs/audit.log", keyFile: "/var/lib/ledger/audit.key" } },
    });
    const { units, notes } = exportSystemd(agent, { execPath: EXEC_PATHS.node });
    const unit = directives(units[0]!.text);
    expect(unit.get("WorkingDirectory")).toBe("/srv/ledger");
    expect(unit.get("ReadWritePaths")).toBe("/var/lib/ledger /srv/ledger/logs");
    expect(unit.get("ReadOnlyPaths")).toBe("/var/lib/ledger/audit.key");
    expect(unit.get("ProtectSystem")).toBe("strict");
    expect(auditNotes(notes)).toEqual([]);
  });

  it("a log inside a storage root needs nothing more; a key outside the writable paths stays as strict leaves it (readable)", async () => {
    const agent = await ledger({
      resources: { storage: { persistent: "/var/lib/ledger" } },
      logging: { audit: { path: "/var/lib/ledger/audit/audit.log", keyFile: "/etc/aral/ledger.key" } },
    });
    const { units, notes } = exportSystemd(agent, { execPath: EXEC_PATHS.node });
    const unit = directives(units[0]!.text);
    expect(unit.get("ReadWritePaths")).toBe("/var/lib/ledger");
    expect(unit.get("ReadOnlyPaths")).toBeUndefined();
    expect(auditNotes(notes)).toEqual([]);
    // without any storage root the log's directory is the only writable path
    const alone = exportSystemd(await ledger({ logging: { audit: { path: "/var/log/ledger/audit.log" } } }));
    expect(directives(alone.units[0]!.text).get("ReadWritePaths")).toBe("/var/log/ledger");
  });

  it.skipIf(!hasSystemdAnalyze)(
    `systemd-analyze verify accepts the units of both${hasSystemdAnalyze ? "" : " (skipped: systemd-analyze is not installed)"}`,
    async () => {
      for (const audit of [
        { path: "logs/audit.log", keyFile: "/var/lib/ledger/audit.key" },
        { path: "/var/lib/ledger/audit/audit.log", keyFile: "/etc/aral/ledger.key" },
      ]) {
        const agent = await ledger({ resources: { storage: { persistent: "/var/lib/ledger" } }, logging: { audit } });
        const { units } = exportSystemd(agent, { execPath: EXEC_PATHS.node });
        expect(verify(units[0]!.fileName, units[0]!.text)).toEqual([]);
      }
    },
  );

  it("where the sandbox hides (ProtectHome=) or replaces (PrivateTmp=) the host's files, a note names the field; nothing is made writable there", async () => {
    const agent = await ledger({ logging: { audit: { path: "/home/ops/audit.log", keyFile: "/tmp/audit.key" } } });
    const { units, notes } = exportSystemd(agent);
    expect(directives(units[0]!.text).get("ReadWritePaths")).toBeUndefined();
    expect(auditNotes(notes)).toEqual([
      expect.objectContaining({
        field: "layers.runtime.logging.audit.path",
        kind: "not-expressible",
        message: expect.stringMatching(/ProtectHome=yes hides .*\/home\/ops\/audit\.log cannot be reached/),
      }),
      expect.objectContaining({
        field: "layers.runtime.logging.audit.keyFile",
        kind: "not-expressible",
        message: expect.stringMatching(/PrivateTmp=yes .*the host's \/tmp\/audit\.key is not in it/),
      }),
    ]);
    const tmpLog = exportSystemd(await ledger({ logging: { audit: { path: "/tmp/ledger/audit.log" } } }));
    expect(directives(tmpLog.units[0]!.text).get("ReadWritePaths")).toBeUndefined();
    expect(auditNotes(tmpLog.notes)).toEqual([
      expect.objectContaining({
        field: "layers.runtime.logging.audit.path",
        kind: "approximated",
        message: expect.stringMatching(/PrivateTmp=yes .*\/tmp\/ledger\/audit\.log is not kept/),
      }),
    ]);
  });

  it("Deno: aral run's permission flags let it write the audit log and read its key wherever they are, so no note", async () => {
    const outside = exportSystemd(
      await ledger(
        {
          platform: "deno",
          logging: { audit: { path: "/var/log/ledger/audit.log", keyFile: "/etc/aral/ledger.key" } },
        },
        { runtime: "deno" },
      ),
    );
    expect(auditNotes(outside.notes)).toEqual([]);
    expect(outside.units[0]!.text).toMatch(
      /^ExecStart=deno run --allow-read=\/var\/log\/ledger\/audit\.log,\/etc\/aral\/ledger\.key,\S+ --allow-write=\/var\/log\/ledger\/audit\.log /m,
    );
    const inside = exportSystemd(
      await ledger(
        {
          platform: "deno",
          resources: { storage: { persistent: "/var/lib/ledger" } },
          logging: { audit: { path: "/var/lib/ledger/audit.log" } },
        },
        { runtime: "deno" },
      ),
    );
    expect(auditNotes(inside.notes)).toEqual([]);
    expect(inside.units[0]!.text).toMatch(/^ExecStart=deno run --allow-read=\/var\/lib\/ledger,\/tmp,/m);
  });
});

describe("a path Deno's permission flags cannot carry is an ExportError naming it (not runtimeCommand's stack trace)", () => {
  it("a comma in storage.persistent, or in the manifest's own path; Node takes both", async () => {
    const comma = manifestWith(dir, "comma.json", {
      platform: "deno",
      resources: { storage: { persistent: "/var/lib/a,b" } },
    });
    const deno = await loadManifestAgent(platform, comma, { entry: "/srv/agent/agent.ts" });
    const error = (() => {
      try {
        exportSystemd(deno);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ExportError);
    expect(error).toMatchObject({ field: "layers.runtime.resources.storage.persistent", origin: "input" });
    expect((error as Error).message).toMatch(/"\/var\/lib\/a,b" contains a comma, which Deno's/);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "a,b"), { recursive: true });
    const manifest = manifestWith(join(dir, "a,b"), "agent.manifest.json", { platform: "deno" });
    const agent = await loadManifestAgent(platform, manifest, { entry: "/srv/agent/agent.ts" });
    expect(() => exportSystemd(agent)).toThrow(/the manifest's path ".*\/a,b\/agent\.manifest\.json" contains a comma/);
    const node = { ...agent, runtime: "node" as const };
    expect(exportSystemd(node).units[0]!.text).toMatch(
      /^Environment="?ARAL_MANIFEST=.*\/a,b\/agent\.manifest\.json"?$/m,
    );
  });
});
