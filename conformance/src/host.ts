/**
 * The only runtime globals the suite touches: what a fresh process needs before it has a Platform
 * (its own arguments, cwd, exit) and the process's own stdio, which the Platform contract does not
 * offer. Everything else goes through the Platform under test.
 */
interface DenoLike {
  args: string[];
  cwd(): string;
  exit(code?: number): never;
  stdin: { readable: ReadableStream<Uint8Array> };
  stdout: { write(p: Uint8Array): Promise<number> };
  stderr: { write(p: Uint8Array): Promise<number> };
}
interface NodeStreamLike {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
}
interface NodeProcessLike {
  argv: string[];
  cwd(): string;
  exit(code?: number): never;
  stdin: AsyncIterable<Uint8Array>;
  stdout: NodeStreamLike;
  stderr: NodeStreamLike;
}

const g = globalThis as { Deno?: DenoLike; process?: NodeProcessLike };

function host(): { deno: DenoLike } | { node: NodeProcessLike } {
  if (g.Deno) return { deno: g.Deno };
  if (g.process?.argv) return { node: g.process };
  throw new Error(
    "@aral/conformance: this runtime offers neither Deno nor process globals; run the CLI through runConformance() instead",
  );
}

/** Arguments after the script. */
export function hostArgs(): string[] {
  const h = host();
  return "deno" in h ? [...h.deno.args] : h.node.argv.slice(2);
}

export function hostCwd(): string {
  const h = host();
  return "deno" in h ? h.deno.cwd() : h.node.cwd();
}

export function hostExit(code: number): never {
  const h = host();
  return "deno" in h ? h.deno.exit(code) : h.node.exit(code);
}

export function hostStdin(): ReadableStream<Uint8Array> {
  const h = host();
  if ("deno" in h) return h.deno.stdin.readable;
  const iterator = h.node.stdin[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
  });
}

export async function hostWrite(target: "stdout" | "stderr", bytes: Uint8Array | string): Promise<void> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const h = host();
  if ("deno" in h) {
    let offset = 0;
    while (offset < data.byteLength) offset += await h.deno[target].write(data.subarray(offset));
    return;
  }
  const stream = h.node[target];
  await new Promise<void>((resolve, reject) => stream.write(data, (error) => (error ? reject(error) : resolve())));
}
