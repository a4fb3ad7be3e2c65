import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { prettyLine, prettySink } from "../../src/logging/pretty-sink.ts";

describe("prettySink", () => {
  it("turns the logger's JSON lines into time, level, message and key=value fields, secrets still redacted", () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: prettySink((line) => lines.push(line)), bindings: { instanceId: "i-1" } });
    logger.warn("disk almost full", { root: "/data", usedRatio: 0.93, token: "s3cret" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}disk almost full {2}instanceId=i-1 root=\/data usedRatio=0\.93 token=\[REDACTED\]$/,
    );
  });

  it("names pino's trace and fatal levels (10, 60) too", () => {
    expect(prettyLine('{"level":60,"time":0,"msg":"down"}')).toBe("00:00:00.000 FATAL down");
    expect(prettyLine('{"level":10,"time":0,"msg":"step"}')).toBe("00:00:00.000 TRACE step");
    const lines: string[] = [];
    createLogger({ sink: prettySink((line) => lines.push(line)) }).log("fatal", "down");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} FATAL down$/);
  });

  it("passes a line that is not JSON through unchanged", () => {
    expect(prettyLine("plain text")).toBe("plain text");
  });
});
