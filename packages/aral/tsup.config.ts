import { tsupPreset } from "../../scripts/tsup-preset.ts";
// No shared chunk: a process loads one of the three entries, so the few lines they share are copied into
// each rather than costing every import one more file to resolve and load.
export default { ...tsupPreset(["src/node.ts", "src/deno.ts", "src/bun.ts"]), splitting: false };
