// Directory handles and no-follow reads on node:fs (the logic is @aral/platform's dirHandlesOnNodeFs), set up on
// first use so that importing the adapter does not load node:fs.
import { dirHandlesOnNodeFs } from "@aral/platform";
import type { DirHandleOps } from "@aral/platform";
import { fsPromises, nodeFs } from "./on-first-use.ts";

let ops: DirHandleOps | undefined;
const dirHandles = () => (ops ??= dirHandlesOnNodeFs(fsPromises(), nodeFs().constants));

export const openDirHandle: DirHandleOps["openDirHandle"] = (dir) => dirHandles().openDirHandle(dir);
export const readFileNoFollow: DirHandleOps["readFileNoFollow"] = (file) => dirHandles().readFileNoFollow(file);
