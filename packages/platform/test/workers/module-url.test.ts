import { describe, expect, it } from "vitest";
import { resolveWorkerModuleUrl, workerModulePath } from "../../src/workers/module-url.ts";

describe("resolveWorkerModuleUrl", () => {
  it("keeps URLs, turns absolute paths into file: URLs and resolves relative paths against cwd", () => {
    expect(resolveWorkerModuleUrl(new URL("file:///a/b.js"), "/x").href).toBe("file:///a/b.js");
    expect(resolveWorkerModuleUrl("file:///a/b.js", "/x").href).toBe("file:///a/b.js");
    expect(resolveWorkerModuleUrl("data:text/javascript,1", "/x").href).toBe("data:text/javascript,1");
    expect(resolveWorkerModuleUrl("/srv/app/worker.ts", "/x").href).toBe("file:///srv/app/worker.ts");
    expect(resolveWorkerModuleUrl("./workers/w.js", "/srv/app").href).toBe("file:///srv/app/workers/w.js");
    expect(resolveWorkerModuleUrl("../w.js", "/srv/app/").href).toBe("file:///srv/w.js");
    expect(resolveWorkerModuleUrl("C:\\agents\\w.js", "/x").href).toBe("file:///C:/agents/w.js");
  });

  it("escapes characters that are URL syntax in a file name, and maps back to the same path", () => {
    const url = resolveWorkerModuleUrl("/tmp/dir with space/#1?x%.js", "/");
    expect(url.pathname).toBe("/tmp/dir%20with%20space/%231%3Fx%25.js");
    expect(url.search).toBe("");
    expect(url.hash).toBe("");
    expect(workerModulePath(url)).toBe("/tmp/dir with space/#1?x%.js");
    expect(workerModulePath(new URL("file:///C:/agents/w.js"))).toBe("C:/agents/w.js");
  });

  it("throws TypeError for a module that is not a string or URL, or is empty", () => {
    expect(() => resolveWorkerModuleUrl(42 as never, "/")).toThrow(TypeError);
    expect(() => resolveWorkerModuleUrl(null as never, "/")).toThrow(/got null/);
    expect(() => resolveWorkerModuleUrl("", "/")).toThrow(/empty/);
  });
});
