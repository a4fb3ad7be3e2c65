// ARAL_LOG_FORMAT, the alias of logging.format (ARAL_LOGGING_FORMAT): a real agent on each runtime that names no
// configuration writes its log to stdout through the runtime's default sink, as JSON lines by default and as
// human-readable lines under ARAL_LOG_FORMAT=pretty; the alias and the field's own variable must agree.
import { describe, expect, it } from "vitest";
import { agentRuntimes, runFixture } from "./observe-helpers.ts";

const FIXTURE = "test/fixtures/env-configured-agent.ts";

/** The runtime's log lines among the output (the fixture's own line is JSON without "level"). */
function logLines(output: string): string[] {
  return output.split("\n").filter((line) => line.includes("lifecycle.transition") || line.includes("runtime "));
}

describe.each(Object.keys(agentRuntimes))("ARAL_LOG_FORMAT on %s", (runtime) => {
  const spec = agentRuntimes[runtime]!;
  const skip = spec.missing ? ` (skipped: ${spec.missing})` : "";

  it.skipIf(spec.exec === undefined)(
    `ARAL_LOG_FORMAT=pretty turns the default JSON lines into pretty ones; json keeps JSON${skip}`,
    { timeout: 60_000 },
    async () => {
      const pretty = await runFixture(runtime, FIXTURE, { ARAL_LOG_FORMAT: "pretty", ARAL_LOG_LEVEL: "info" });
      expect(pretty.code, pretty.output).toBe(0);
      const prettyLines = logLines(pretty.output);
      expect(prettyLines.length, pretty.output).toBeGreaterThan(0);
      for (const line of prettyLines) expect(line, pretty.output).not.toMatch(/^\{"level"/);
      // time, level, message, then key=value fields
      expect(prettyLines.join("\n")).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}runtime running .*event=lifecycle\.transition from=starting to=running/m,
      );

      const json = await runFixture(runtime, FIXTURE, { ARAL_LOG_FORMAT: "json", ARAL_LOG_LEVEL: "info" });
      expect(json.code, json.output).toBe(0);
      const jsonLines = logLines(json.output);
      expect(jsonLines.length, json.output).toBeGreaterThan(0);
      for (const line of jsonLines) expect(JSON.parse(line), line).toMatchObject({ level: 30 });
      expect(
        jsonLines.map((line) => JSON.parse(line)).some((r) => r.event === "lifecycle.transition" && r.to === "running"),
      ).toBe(true);
    },
  );

  it.skipIf(spec.exec === undefined)(
    `ARAL_LOG_FORMAT and ARAL_LOGGING_FORMAT that disagree fail the start naming logging.format${skip}`,
    { timeout: 60_000 },
    async () => {
      const { code, output } = await runFixture(runtime, FIXTURE, {
        ARAL_LOG_FORMAT: "pretty",
        ARAL_LOGGING_FORMAT: "json",
      });
      expect(code, output).toBe(3);
      const line = output.split("\n").find((l) => l.startsWith('{"failed"'));
      expect(line, output).toBeDefined();
      const { failed } = JSON.parse(line!) as { failed: { code: string; cause: { name: string; message: string } } };
      expect(failed.code).toBe("StartupFailed");
      expect(failed.cause.name).toBe("ConfigError");
      expect(failed.cause.message).toMatch(/logging\.format/);
      expect(failed.cause.message).toMatch(/ARAL_LOG(GING)?_FORMAT/);
    },
  );
});
