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
  void Promise.all([import("./load-platform.ts").then(({ loadPlatform }) => loadPlatform()), import("./main.ts")]).then(
    ([platform, { main }]) => main(platform, platform.process.argv).then((code) => platform.process.exit(code)),
  );
}
