import { tsupPreset } from "../../scripts/tsup-preset.ts";
// The two Node-compat modules Deno's adapter uses (no Deno.* API exists for them) stay imports.
export default tsupPreset(["src/index.ts"], ["node:process", "node:fs/promises"]);
