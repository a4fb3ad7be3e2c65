// ARAL_CGROUP_PARENT / cgroupParent must be an absolute directory: anything else is a SupervisorConfigError naming
// cgroupParent when the supervisor is made (before anything is spawned or any cgroup made).
import { describe, expect, it } from "vitest";
import { SupervisorConfigError } from "../src/errors.ts";
import { supervise } from "./helpers.ts";

describe("cgroupParent: a value that is not an absolute directory", () => {
  it.each(["agents", "./agents", "", "sys/fs/cgroup/agents"])(
    "%j is a SupervisorConfigError naming cgroupParent",
    (value) => {
      let caught: unknown;
      try {
        supervise("graceful.mjs", { name: "bad-parent", cgroupParent: value });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SupervisorConfigError);
      expect(caught).toMatchObject({ option: "cgroupParent" });
      expect((caught as Error).message).toBe(
        `Supervisor: cgroupParent must be an absolute directory path, got ${JSON.stringify(value)}`,
      );
    },
  );
});
