import { describe, expect, it } from "vitest";
import { ConfigError, resolveRuntimeConfig } from "../../src/config/index.ts";

describe("logging.audit", () => {
  it("is off unless asked for; path and keyFile come from the manifest or ARAL_LOGGING_AUDIT_*", () => {
    expect(resolveRuntimeConfig(undefined, {}).logging.audit).toBeUndefined();
    expect(
      resolveRuntimeConfig({ logging: { audit: { path: "/var/log/a.log", keyFile: "/etc/a.key" } } }, {}).logging.audit,
    ).toEqual({
      path: "/var/log/a.log",
      keyFile: "/etc/a.key",
    });
    expect(
      resolveRuntimeConfig(undefined, { ARAL_LOGGING_AUDIT_PATH: "a.log", ARAL_LOGGING_AUDIT_KEY_FILE: "a.key" })
        .logging.audit,
    ).toEqual({ path: "a.log", keyFile: "a.key" });
  });

  it("rejects keyFile without path, and empty or non-string values, naming the field", () => {
    const issuesOf = (audit: unknown) => {
      try {
        resolveRuntimeConfig({ logging: { audit } } as never, {});
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues.map((issue) => issue.path);
      }
      throw new Error("accepted");
    };
    expect(issuesOf({ keyFile: "a.key" })).toEqual(["logging.audit.keyFile"]);
    expect(issuesOf({ path: "" })).toEqual(["logging.audit.path"]);
    expect(issuesOf({ path: 42 })).toEqual(["logging.audit.path"]);
    expect(issuesOf({ path: "a", extra: 1 })).toEqual(["logging.audit.extra"]);
  });
});
