// The CLI's own version, as its package.json and deno.json say: scripts/sync-deno-versions.mjs writes it here and
// its --check (a step of npm test) fails when the three differ. A constant, not a read of package.json at run time:
// the CLI runs from npm's dist/ and from JSR's sources, which keep that file in different places.
export const CLI_VERSION = "0.1.0";
