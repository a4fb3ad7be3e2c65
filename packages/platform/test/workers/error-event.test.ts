import { describe, expect, it } from "vitest";
import { PlatformError } from "../../src/errors.ts";
import { errorFromWorkerEvent } from "../../src/workers/error-event.ts";

const module = new URL("file:///srv/app/worker.js");

describe("errorFromWorkerEvent", () => {
  it("maps Deno's and Bun's module-not-found messages to PlatformError NotFound naming the module", () => {
    for (const message of [
      'Module not found "file:///srv/app/worker.js".',
      'BuildMessage: ModuleNotFound resolving "/srv/app/worker.js" (entry point)',
    ]) {
      const error = errorFromWorkerEvent({ message }, module);
      expect(error).toBeInstanceOf(PlatformError);
      expect(error).toMatchObject({ code: "NotFound", path: "/srv/app/worker.js", syscall: "spawnWorker" });
    }
  });

  it("maps a missing permission to PermissionDenied", () => {
    const error = errorFromWorkerEvent({ message: 'Requires read access to "/srv/app/worker.js"' }, module);
    expect(error).toMatchObject({ code: "PermissionDenied" });
  });

  it("strips Deno's 'Uncaught (in promise)' and Bun's source excerpt from the worker's error message", () => {
    expect(
      errorFromWorkerEvent(
        { message: "Uncaught (in promise) Error: boom", filename: "file:///srv/app/worker.js", lineno: 4 },
        module,
      ).message,
    ).toBe("Error: boom");
    const bun =
      '3 |   const m = e.data;\n4 |   if (x) throw new Error("boom");\n                  ^\nerror: boom\n      at <anonymous> (/srv/app/worker.js:4:19)\n';
    expect(errorFromWorkerEvent({ message: bun }, module).message).toBe("error: boom");
  });

  it("passes the worker's own Error through when the runtime provides it", () => {
    const original = new TypeError("bad");
    expect(errorFromWorkerEvent({ message: "Uncaught TypeError: bad", error: original }, module)).toBe(original);
  });
});
