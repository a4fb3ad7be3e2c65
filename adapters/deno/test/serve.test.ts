import { isPlatformError } from "@aral/platform";
import { platform } from "../src/index.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const { net } = platform;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("serve: real port, request body, streaming response, 500 on a throwing handler", async () => {
  const server = await net.serve(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/throw") throw new Error("handler bug");
    if (path === "/echo") return new Response(`got ${await request.text()}`);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const part of ["a", "b", "c"]) {
          controller.enqueue(new TextEncoder().encode(part));
          await delay(5);
        }
        controller.close();
      },
    });
    return new Response(body);
  });
  try {
    assert(server.port > 0, "port");
    assertEquals([server.hostname, server.url], ["127.0.0.1", `http://127.0.0.1:${server.port}`]);
    const failed = await net.fetch(`${server.url}/throw`);
    assertEquals(failed.status, 500);
    await failed.body?.cancel();
    assertEquals(await (await net.fetch(`${server.url}/echo`, { method: "POST", body: "ping" })).text(), "got ping");
    assertEquals(await (await net.fetch(`${server.url}/stream`)).text(), "abc");
  } finally {
    await server.close();
  }
});

Deno.test("serve: close() lets an in-flight slow request finish, then refuses; close twice is fine", async () => {
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = await net.serve(async () => {
    started();
    await released;
    return new Response("slow but complete");
  });
  const response = net.fetch(server.url).then((r) => r.text());
  await inFlight;
  let settledEarly = false;
  let answered = false;
  const closed = server.close().then(() => (settledEarly = !answered));
  // close() must still be pending while the handler holds its answer (a bounded look, not a synchronisation)
  assertEquals(await Promise.race([closed.then(() => "closed"), delay(200).then(() => "pending")]), "pending");
  answered = true;
  release();
  assertEquals(await response, "slow but complete");
  await closed;
  assert(!settledEarly, "close() resolved before the in-flight request finished");
  await server.close();
  await assertRejects(
    () => net.fetch(server.url),
    (e) => e instanceof TypeError,
    "connection after close",
  );
});

Deno.test("serve: aborting the signal closes the server; a used port is a PlatformError", async () => {
  const controller = new AbortController();
  const server = await net.serve(() => new Response("ok"), { signal: controller.signal });
  await assertRejects(
    () => net.serve(() => new Response("x"), { port: server.port }),
    (e) => isPlatformError(e) && e.syscall === "serve",
    "port in use",
  );
  controller.abort();
  await server.close();
  await assertRejects(
    () => net.fetch(server.url),
    (e) => e instanceof TypeError,
    "connection after abort",
  );
  const preAborted = await net.serve(() => new Response("x"), { signal: AbortSignal.abort() });
  await preAborted.close();
  await assertRejects(
    () => net.fetch(preAborted.url),
    (e) => e instanceof TypeError,
    "connection to a server started with an aborted signal",
  );
  await assertRejects(
    () => net.serve(() => new Response("x"), { port: 70000 }),
    (e) => e instanceof TypeError && e.message.includes("port"),
    "bad port",
  );
});
