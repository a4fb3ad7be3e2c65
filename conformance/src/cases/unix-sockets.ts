import type { UnixConnection } from "@aral/platform";
import { equal, ok, rejects } from "../harness/assert.ts";
import { defineCases } from "../harness/case.ts";
import { within } from "../harness/helpers.ts";

const WAIT_MS = 5_000;

/** Reads until `until` appears in the text (or the stream ends); the text up to it. */
async function readText(connection: UnixConnection, until?: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = connection.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (until !== undefined && text.includes(until)) {
      reader.releaseLock();
      return text.slice(0, text.indexOf(until));
    }
  }
  return text + decoder.decode();
}

export const unixSocketCases = defineCases([
  {
    name: "net: listenUnix ↔ connectUnix round trip, socket mode as asked, close removes the socket file",
    capability: "net.unix",
    async run(ctx) {
      if (ctx.platform.runtime.os === "windows")
        ctx.skip("Unix domain sockets: not offered on Windows by this contract");
      const path = `${await ctx.tempDir()}/control.sock`;
      const listener = await ctx.platform.net.listenUnix(
        path,
        (connection) =>
          void (async () => {
            const request = await readText(connection, "END\n");
            const writer = connection.writable.getWriter();
            await writer.write(new TextEncoder().encode(`echo:${request}`));
            await writer.close();
          })(),
        { mode: 0o600 },
      );
      ctx.defer(() => listener.close());
      equal(listener.path, path, "listener.path");
      equal((await ctx.platform.fs.stat(path)).mode! & 0o777, 0o600, "socket file mode");
      const client = await within(ctx.platform.net.connectUnix(path), WAIT_MS, "connectUnix");
      const writer = client.writable.getWriter();
      await writer.write(new TextEncoder().encode(`${"hello\n".repeat(10_000)}END\n`));
      const answer = await within(readText(client), WAIT_MS, "reading the answer until the server closes");
      equal(answer.length, "echo:".length + 60_000, "answer length (64 KiB crosses several socket buffers)");
      ok(answer.startsWith("echo:hello\n"), "answer content");
      client.close();
      await within(listener.close(), WAIT_MS, "listener.close()");
      equal(await ctx.platform.fs.exists(path), false, "socket file removed by close()");
      await rejects(() => ctx.platform.net.connectUnix(path), { code: "NotFound" }, "connectUnix to a removed socket");
    },
  },
]);
