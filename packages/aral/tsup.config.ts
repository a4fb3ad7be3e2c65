import { tsupPreset } from "../../scripts/tsup-preset.ts";
export default tsupPreset(["src/node.ts", "src/deno.ts", "src/bun.ts"]);
