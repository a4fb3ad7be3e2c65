import type { Options } from "tsup";
import { tsupPreset } from "../../scripts/tsup-preset.ts";

// shims: the CJS build gets a real import.meta.url (from __filename), which on-first-use.ts needs for createRequire.
export default { ...(tsupPreset() as Options), shims: true };
