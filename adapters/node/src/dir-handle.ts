// Directory handles and no-follow reads on node:fs (the logic is @aral/platform's dirHandlesOnNodeFs).
import { constants } from "node:fs";
import fsp from "node:fs/promises";
import { dirHandlesOnNodeFs } from "@aral/platform";

export const { openDirHandle, readFileNoFollow } = dirHandlesOnNodeFs(fsp, constants);
