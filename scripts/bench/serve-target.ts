/**
 * One HTTP server for serve.mjs to load (not a test): `node --conditions=source serve-target.ts <server> <body>`.
 * <server>: raw (node:http) | aral (the Node adapter's net.serve) | hono (@hono/node-server) | srvx | base (the
 * adapter copy in the directory $BENCH_BASE).
 * <body>: small ("ok") | 64k (a 64 KiB Uint8Array) | stream (16 × 4 KiB chunks through a ReadableStream, each made
 * when asked for: all there in the turn the response is handed over) | stream-turns (the same chunks one per
 * event-loop turn, so they go out chunked as they come).
 * Prints the port on stdout once listening. Each server runs in its own process: @hono/node-server and srvx
 * may replace the global Request/Response, which must not leak into the others' figures.
 */
import process from "node:process";

// node:http through getBuiltinModule: `import http from "node:http"` builds its ESM namespace, whose WebSocket
// getters load Node's fetch stack (undici) — and with it Node's own Response, which a real agent's server never
// loads (adapters/node/README.md). Each contender loads what it loads itself.
const http = process.getBuiltinModule("node:http") as typeof import("node:http");

const [kind = "aral", body = "small"] = process.argv.slice(2);
const CHUNK = new Uint8Array(4096).fill(120);
const CHUNKS = 16;
const BIG = new Uint8Array(64 * 1024).fill(120);

function webResponse(): Response {
  if (body === "small") return new Response("ok");
  if (body === "64k") return new Response(BIG);
  let sent = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (body === "stream-turns" && sent > 0) return nextTurn().then(() => send(controller));
        send(controller);
      },
    }),
  );
  function send(controller: ReadableStreamDefaultController<Uint8Array>): void {
    controller.enqueue(CHUNK);
    if (++sent === CHUNKS) controller.close();
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function listen(): Promise<number> {
  switch (kind) {
    case "raw": {
      const server = http.createServer((_req, res) => {
        if (body === "small") return void res.end("ok");
        if (body === "64k") return void res.end(BIG);
        let sent = 0;
        const more = () => {
          while (sent < CHUNKS) {
            sent++;
            if (!res.write(CHUNK)) return void res.once("drain", more);
            if (body === "stream-turns" && sent < CHUNKS) return void setImmediate(more);
          }
          res.end();
        };
        more();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return (server.address() as { port: number }).port;
    }
    case "aral":
    case "base": {
      const adapter = kind === "base" ? `${process.env.BENCH_BASE}/index.ts` : "../../adapters/node/src/index.ts";
      const { serveNode } = (await import(adapter)) as typeof import("../../adapters/node/src/index.ts");
      const server = await serveNode(() => webResponse(), { hostname: "127.0.0.1", port: 0 });
      return server.port;
    }
    case "hono": {
      const { serve } = await import("@hono/node-server");
      return await new Promise<number>((resolve) =>
        serve({ fetch: () => webResponse(), hostname: "127.0.0.1", port: 0 }, (info) => resolve(info.port)),
      );
    }
    case "srvx": {
      const { serve } = await import("srvx");
      const server = serve({ fetch: () => webResponse(), hostname: "127.0.0.1", port: 0, silent: true });
      await server.ready();
      return Number(new URL(server.url!).port);
    }
    default:
      throw new Error(`unknown server ${kind}`);
  }
}

console.log(await listen());
process.on("SIGTERM", () => process.exit(0));
