// Directory handles and no-follow reads on node:fs (the logic is @aral/platform's dirHandlesOnNodeFs).
import { dirHandlesOnNodeFs } from "@aral/platform";
import { fsPromises as fsp } from "./on-first-use.ts";

// node:fs through process.getBuiltinModule: an `import ... from "node:fs"` builds the module's ESM face from every
// export, fs.promises among them, and on Node 24 that loads readline and the stream stack at import (see on-first-use.ts).
const { constants } = process.getBuiltinModule("node:fs");

export const { openDirHandle, readFileNoFollow } = dirHandlesOnNodeFs(fsp, constants);
