import { ConfigError, LifecycleError } from "@aral/core";
import { readAllText } from "@aral/platform";
import { equal, match, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { lines, statusWithin } from "../harness/helpers.ts";
import { runtimeFor } from "./runtime-helpers.ts";

const JSONC_MANIFEST = `// the seed's configuration example, comments and all
{
  "aral": { "version": "1.0", "profile": "ARAL-CORE" },
  "layers": {
    "runtime": {
      "resources": {
        "cpu": { "limit": "2000m", "request": "500m" },   // 2 CPU cores max
        "memory": { "limit": "2Gi", "request": "512Mi" }, // 2GB max
      },
      "lifecycle": { "startupTimeout": 30000, "shutdownTimeout": 4321 },
      "errorHandling": { "maxRetries": 3, "backoffStrategy": "exponential" },
    },
  },
}
`;

const YAML_MANIFEST = `aral:
  version: "1.0"
  profile: ARAL-CORE
layers:
  runtime:
    resources:
      memory: { limit: 64Mi }
    lifecycle:
      shutdownTimeout: 1234
`;

/** The cause of a start that failed on its configuration. */
async function configErrorOfStart(start: () => Promise<void>): Promise<ConfigError> {
  const error = await rejects(start, { instance: LifecycleError }, "start()");
  const cause = (error as LifecycleError).cause;
  ok(cause instanceof ConfigError, `the cause is a ConfigError (got ${String(cause)})`);
  return cause;
}

export const runtimeConfigCases = defineCases([
  {
    name: "config: a manifest saved as UTF-16 (Windows PowerShell 5) fails the start with a syntax ConfigError saying to save it as UTF-8; one over 4 MiB is not read",
    capability: "runtime.config",
    async run(ctx) {
      const dir = await ctx.tempDir();
      const utf16 = `${dir}/agent.yaml`;
      const text = 'aral:\n  version: "1.0"\n';
      await ctx.platform.fs.writeFile(
        utf16,
        new Uint8Array([0xff, 0xfe, ...[...text].flatMap((char) => [char.charCodeAt(0), 0])]),
      );
      const encoding = await configErrorOfStart(() => runtimeFor(ctx, utf16).runtime.start());
      equal(encoding.code, "syntax", "code of the UTF-16 manifest's error");
      match(encoding.issues[0]?.message ?? "", /save it as UTF-8/, "what to do about it");
      const huge = `${dir}/agent.json`;
      await ctx.platform.fs.writeFile(huge, `{"aral":{"version":"1.0"},"pad":"${"x".repeat(5 * 1024 * 1024)}"}`);
      const size = await configErrorOfStart(() => runtimeFor(ctx, huge).runtime.start());
      equal(size.code, "unreadable", "code of the huge manifest's error");
      match(size.issues[0]?.message ?? "", /larger than 4 MiB \(\d+ bytes\): not read/, "the size, from stat");
    },
  },
  {
    name: "config: a JSONC manifest with // comments and trailing commas, read through the platform, configures the runtime",
    capability: "runtime.config",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/agent.manifest.jsonc`;
      await ctx.platform.fs.writeFile(path, JSONC_MANIFEST);
      const { runtime } = runtimeFor(ctx, path);
      await runtime.start();
      equal(runtime.config?.lifecycle.shutdownTimeout, 4321, "lifecycle.shutdownTimeout");
      equal(runtime.config?.resources.memory?.limit, "2Gi", "resources.memory.limit");
      equal(runtime.config?.lifecycle.healthcheck.interval, 10_000, "default healthcheck.interval");
    },
  },
  {
    name: "config: a YAML manifest configures the runtime, and its memory limit is enforced",
    capability: "runtime.config",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/agent.yaml`;
      await ctx.platform.fs.writeFile(path, YAML_MANIFEST);
      const { runtime } = runtimeFor(ctx, path);
      await runtime.start();
      equal(runtime.config?.lifecycle.shutdownTimeout, 1234, "lifecycle.shutdownTimeout");
      await rejects(
        () => runtime.allocate({ memory: "65Mi" }),
        { message: /Resource limit exceeded/ },
        "allocate beyond the YAML limit",
      );
    },
  },
  {
    name: "config: ARAL_* variables override manifest fields",
    capability: "runtime.config",
    async run(ctx) {
      const { runtime } = runtimeFor(
        ctx,
        { lifecycle: { shutdownTimeout: 1000 } },
        { env: { ARAL_LIFECYCLE_SHUTDOWN_TIMEOUT: "2500", ARAL_RESOURCES_MEMORY_LIMIT: "10Mi" } },
      );
      await runtime.start();
      equal(runtime.config?.lifecycle.shutdownTimeout, 2500, "lifecycle.shutdownTimeout");
      await rejects(
        () => runtime.allocate({ memory: "11Mi" }),
        { message: /Resource limit exceeded/ },
        "allocate beyond the overridden limit",
      );
    },
  },
  {
    name: "config: an invalid manifest fails the start with a ConfigError naming the field path, value and expectation",
    capability: "runtime.config",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/bad.json`;
      await ctx.platform.fs.writeFile(
        path,
        JSON.stringify({
          aral: { version: "1.0" },
          layers: { runtime: { errorHandling: { maxRetries: 11 }, resources: { memory: { limit: "2GB" } } } },
        }),
      );
      const { runtime } = runtimeFor(ctx, path);
      const error = (await rejects(
        () => runtime.start(),
        { instance: LifecycleError },
        "start() with a bad manifest",
      )) as LifecycleError;
      equal(runtime.getStatus(), "failed", "status");
      const cause = error.cause as ConfigError;
      ok(cause instanceof ConfigError, `cause is a ConfigError (got ${String(cause)})`);
      const paths = cause.issues.map((i) => i.path).sort();
      ok(paths.includes("layers.runtime.errorHandling.maxRetries"), `issues name maxRetries (got ${paths.join(", ")})`);
      ok(paths.includes("layers.runtime.resources.memory.limit"), `issues name memory.limit (got ${paths.join(", ")})`);
      const retries = cause.issues.find((i) => i.path === "layers.runtime.errorHandling.maxRetries")!;
      equal(retries.value, 11, "the bad value");
      match(retries.expected, /1.*10/, "the expectation");
    },
  },
  {
    name: "config: a missing manifest file fails the start with a ConfigError whose cause is PlatformError NotFound",
    capability: "runtime.config",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/missing.yaml`;
      const { runtime } = runtimeFor(ctx, path);
      const error = (await rejects(() => runtime.start(), { instance: LifecycleError }, "start()")) as LifecycleError;
      const cause = error.cause as ConfigError;
      ok(cause instanceof ConfigError, "cause is a ConfigError");
      equal((cause.cause as { code?: string }).code, "NotFound", "the platform error's code");
    },
  },
  {
    name: "config: new AralRuntime() with no configuration reads the manifest ARAL_MANIFEST names (aral run, systemd, Kubernetes set it); a configuration given wins",
    capability: "runtime.config",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/agent.yaml`;
      await ctx.platform.fs.writeFile(path, YAML_MANIFEST);
      const fromVariable = runtimeFor(ctx, undefined, { env: { ARAL_MANIFEST: ` ${path} ` } }).runtime;
      await fromVariable.start();
      equal(fromVariable.config?.lifecycle.shutdownTimeout, 1234, "lifecycle.shutdownTimeout from ARAL_MANIFEST");
      await rejects(
        () => fromVariable.allocate({ memory: "65Mi" }),
        { message: /Resource limit exceeded/ },
        "allocate beyond the limit of the manifest ARAL_MANIFEST names",
      );
      const given = runtimeFor(ctx, { lifecycle: { shutdownTimeout: 999 } }, { env: { ARAL_MANIFEST: path } }).runtime;
      await given.start();
      equal(given.config?.lifecycle.shutdownTimeout, 999, "the options given, not ARAL_MANIFEST");
      const empty = runtimeFor(ctx, undefined, { env: { ARAL_MANIFEST: "" } }).runtime;
      await empty.start();
      equal(empty.config?.lifecycle.shutdownTimeout, 10_000, "an empty ARAL_MANIFEST is unset: the defaults");
    },
  },
  {
    name: "config: an ARAL_MANIFEST naming no file, or no manifest format, fails the start with a ConfigError that names the variable",
    capability: "runtime.config",
    async run(ctx) {
      const path = `${await ctx.tempDir()}/missing.yaml`;
      const { runtime } = runtimeFor(ctx, undefined, { env: { ARAL_MANIFEST: path } });
      const error = (await rejects(() => runtime.start(), { instance: LifecycleError }, "start()")) as LifecycleError;
      const cause = error.cause as ConfigError;
      ok(cause instanceof ConfigError, "cause is a ConfigError");
      equal(cause.code, "unreadable", "the ConfigError's code");
      equal(cause.source, path, "the ConfigError's source");
      match(cause.message, /\[from ARAL_MANIFEST\]/, "the message names the variable");
      equal((cause.cause as { code?: string }).code, "NotFound", "the platform error's code");
      const directory = await ctx.tempDir();
      const notAFile = runtimeFor(ctx, undefined, { env: { ARAL_MANIFEST: directory } }).runtime;
      const formatError = (await rejects(
        () => notAFile.start(),
        { instance: LifecycleError },
        "start()",
      )) as LifecycleError;
      const formatCause = formatError.cause as ConfigError;
      equal(formatCause.code, "unsupported-format", "a directory's ConfigError code");
      match(formatCause.message, /\[from ARAL_MANIFEST\]/, "the message names the variable");
    },
  },
  {
    name: "config: ARAL_INSTANCE_ID (systemd's <name>-%i, a pod's name) is the instance id in logs and metrics; one that is no id fails every start naming it",
    capability: "runtime.config",
    async run(ctx) {
      const { runtime, log } = runtimeFor(ctx, {}, { env: { ARAL_INSTANCE_ID: "agent-3" } });
      equal(runtime.instanceId, "agent-3", "instanceId");
      await runtime.start();
      match(runtime.prometheusMetrics(), /instance_id="agent-3"/, "the metrics' instance_id label");
      ok(
        log.records.some((record) => record["instanceId"] === "agent-3"),
        "log records carry the instance id",
      );
      const bad = runtimeFor(ctx, {}, { env: { ARAL_INSTANCE_ID: "agent 3" } }).runtime;
      for (const attempt of [1, 2]) {
        const error = (await rejects(
          () => bad.start(),
          { instance: LifecycleError },
          `start() #${attempt}`,
        )) as LifecycleError;
        const cause = error.cause as ConfigError;
        ok(cause instanceof ConfigError, "cause is a ConfigError");
        match(cause.message, /\[from ARAL_INSTANCE_ID\]/, "the message names the variable");
      }
    },
  },
  {
    name: "config: new AralRuntime(null), a number or an array is refused at start() (LifecycleError caused by a ConfigError), as aral check refuses the same document",
    capability: "runtime.config",
    async run(ctx) {
      for (const input of [null, 42, []]) {
        const { runtime } = runtimeFor(ctx, input as never);
        const error = (await rejects(
          () => runtime.start(),
          { instance: LifecycleError, message: /must be an object/ },
          `start() of new AralRuntime(${JSON.stringify(input)})`,
        )) as LifecycleError;
        ok(error.cause instanceof ConfigError, "the cause is the ConfigError aral check reports");
      }
    },
  },
  {
    name: 'config: logging.format "pretty" with no sink given writes human-readable lines (time, level, message, key=value) to stdout',
    capability: "runtime.config",
    async run({ spawnFixture }) {
      const child = spawnFixture("pretty-log");
      const [out, err] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr)]);
      const status = await statusWithin(child, 20_000);
      equal(status.code, 0, `exit code of the pretty-log agent (stderr: ${err.slice(0, 300)})`);
      const printed = lines(out);
      equal(printed.at(-1), "fixture done", "the agent ran to its end");
      const started = printed.find((line) => / INFO {2}runtime running/.test(line));
      ok(started !== undefined, `a pretty "runtime running" line (stdout: ${out.slice(0, 400)})`);
      match(
        started!,
        /^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}runtime running {2}\S+=/,
        "time, level, message, then key=value fields",
      );
      ok(!printed.some((line) => line.startsWith("{")), "no JSON line: every log line went through the pretty sink");
    },
  },
]);
