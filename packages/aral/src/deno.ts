// The "deno" entry of the umbrella package, picked by export conditions.
import { platform } from "@aral/adapter-deno";
import { withPlatform } from "./with-platform.ts";
import type { AralRuntime as CoreRuntime } from "@aral/core";

export * from "@aral/core";
export { platform };
export const AralRuntime: typeof CoreRuntime = withPlatform(() => platform);
export type AralRuntime = InstanceType<typeof AralRuntime>;
