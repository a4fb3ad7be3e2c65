import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readAllText } from "@aral/platform";
import { createPlatform } from "../src/index.ts";

const platform = createPlatform();
const fixture = (name: string) => join(import.meta.dir, "fixtures", name);

async function readLine(reader: ReadableStreamDefaultReader<Uint8Array>, buffer: { text: string }): Promise<string> {
  const decoder = new TextDecoder();
  while (!buffer.text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before a full line, got ${JSON.stringify(buffer.text)}`);
    buffer.text += decoder.decode(value);
  }
  const index = buffer.text.indexOf("\n");
  const line = buffer.text.slice(0, index);
  buffer.text = buffer.text.slice(index + 1);
  return line;
}

describe("process and signals in a real child", () => {
  test("a subscribed SIGTERM does not kill; after unsubscribe it does", async () => {
    const child = platform.process.spawn(platform.process.execPath, [
      "--conditions=source",
      fixture("signal-child.ts"),
    ]);
    const reader = child.stdout!.getReader();
    const buffer = { text: "" };
    expect(await readLine(reader, buffer)).toBe("ready");
    child.kill("SIGTERM");
    expect(await readLine(reader, buffer)).toBe("got SIGTERM 1");
    child.kill("SIGTERM");
    expect(await readLine(reader, buffer)).toBe("got SIGTERM 2");
    expect(await readLine(reader, buffer)).toBe("unsubscribed");
    child.kill("SIGTERM");
    expect(await child.status).toEqual({ code: null, signal: "SIGTERM", success: false });
  });
  test("onUncaught catches exceptions and rejections, argv holds the user args", async () => {
    const child = platform.process.spawn(platform.process.execPath, [
      "--conditions=source",
      fixture("uncaught-child.ts"),
      "one",
      "two",
    ]);
    const [out, , status] = await Promise.all([readAllText(child.stdout), readAllText(child.stderr), child.status]);
    expect(out.split("\n").filter(Boolean).sort()).toEqual(
      ['argv ["one","two"]', "exception: thrown in a timer", "rejection: rejected promise"].sort(),
    );
    expect(status.success).toBe(false);
    expect(status.code).toBe(1);
  });
});

describe("runtime, env, usage", () => {
  test("runtime info", () => {
    expect(platform.runtime).toEqual({
      name: "bun",
      version: Bun.version,
      os: "linux",
      arch: process.arch,
      cpus: expect.any(Number),
      hostname: expect.any(String),
    });
    expect(platform.runtime.version).not.toStartWith("v");
    expect(platform.runtime.cpus).toBeGreaterThan(0);
  });
  test("env reads and writes the real process environment", () => {
    const env = platform.env;
    expect(env.has("ARAL_BUN_ENV_TEST")).toBe(false);
    env.set("ARAL_BUN_ENV_TEST", "v1");
    expect(process.env["ARAL_BUN_ENV_TEST"]).toBe("v1");
    expect(env.get("ARAL_BUN_ENV_TEST")).toBe("v1");
    expect(env.toObject()["ARAL_BUN_ENV_TEST"]).toBe("v1");
    env.delete("ARAL_BUN_ENV_TEST");
    expect(env.has("ARAL_BUN_ENV_TEST")).toBe(false);
    expect(() => env.set("A=B", "x")).toThrow(TypeError);
    expect(() => env.get("")).toThrow(TypeError);
  });
  test("usage numbers are positive and cpu is cumulative", () => {
    const memory = platform.usage.memory();
    expect(memory.rss).toBeGreaterThan(0);
    expect(memory.heapUsed).toBeGreaterThan(0);
    const before = platform.usage.cpu();
    let x = 0;
    for (let i = 0; i < 2_000_000; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    const after = platform.usage.cpu();
    expect(after.userMicros + after.systemMicros).toBeGreaterThan(before.userMicros + before.systemMicros);
  });
  test("pid, cwd, execPath", () => {
    expect(platform.process.pid).toBe(process.pid);
    expect(platform.process.cwd()).toBe(process.cwd());
    expect(platform.process.execPath).toBe(process.execPath);
  });
});
