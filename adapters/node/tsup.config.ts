import type { Options } from "tsup";
import { tsupPreset } from "../../scripts/tsup-preset.ts";

// worker-thread-bootstrap is the first module of every worker thread, loaded by URL beside the entry (workers.ts).
// shims: the CJS build gets a real import.meta.url (from __filename), which on-first-use.ts and workers.ts need.
export default {
  ...(tsupPreset(["src/index.ts", "src/worker-thread-bootstrap.ts"]) as Options),
  dts: { entry: "src/index.ts" }, // the bootstrap exports nothing
  shims: true,
};
