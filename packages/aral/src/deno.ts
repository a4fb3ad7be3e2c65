// The "deno" entry of the umbrella package, picked by export conditions.
import { platform } from "@aral/adapter-deno";
import { withPlatform } from "./with-platform.ts";

export * from "@aral/core";
export { platform };
export const AralRuntime = withPlatform(() => platform);
export type AralRuntime = InstanceType<typeof AralRuntime>;
