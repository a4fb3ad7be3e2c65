#!/usr/bin/env node
import { bunToHandTo, handOff } from "./bin-handoff.ts";

const bun = bunToHandTo({
  env: process.env,
  onBun: typeof (globalThis as { Bun?: unknown }).Bun !== "undefined",
  parentPid: process.ppid,
});
if (bun !== undefined) {
  handOff(bun, process.argv[1]!, process.argv.slice(2));
} else {
  void Promise.all([
    import("./load-platform.ts").then(({ loadPlatform }) => loadPlatform()),
    import("./main.ts"),
    import("./output.ts"),
  ]).then(async ([platform, { main }, { exitCodeAfterFlush, processOutput }]) => {
    const output = processOutput();
    const code = await main(platform, platform.process.argv, output);
    // what a slow reader has not taken yet is written before exiting; 141 when the reader went away (EPIPE)
    platform.process.exit(await exitCodeAfterFlush(output, platform.signals, code));
  });
}
